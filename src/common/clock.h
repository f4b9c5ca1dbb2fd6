/* Wall-clock seconds for timings and progress: CLOCK_MONOTONIC, so a changed system clock
 * does not make a run look negative or hours long. */
#ifndef ILNET_CLOCK_H
#define ILNET_CLOCK_H

double ilnet_clock_now(void);

#endif
