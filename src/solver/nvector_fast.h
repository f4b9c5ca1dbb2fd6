/* Optimised replacements for the serial N_Vector's operations. Debian builds SUNDIALS
 * without optimisation, so its vector kernels run several times slower than this file
 * compiled with -O2; vectors cloned from one set up here inherit the operations. */
#ifndef ILNET_NVECTOR_FAST_H
#define ILNET_NVECTOR_FAST_H

#include "sundials_compat.h"
#include <sundials/sundials_nvector.h>

void ilnet_nvector_use_fast_ops(N_Vector v);

#endif
