/* SUNDIALS 6 and 7 from one source. ilnet is written in SUNDIALS 7's names (sunrealtype,
 * sunbooleantype, SUN_COMM_NULL); Debian 12 ships 6.4, which has sunrealtype and sunbooleantype
 * already but takes a void * communicator and lacks SUN_COMM_NULL. Include this instead of
 * <sundials/sundials_types.h>. */
#ifndef ILNET_SUNDIALS_COMPAT_H
#define ILNET_SUNDIALS_COMPAT_H

#include <sundials/sundials_config.h>
#include <sundials/sundials_context.h>
#include <sundials/sundials_types.h>

#if SUNDIALS_VERSION_MAJOR < 7
/* SUNContext_Create(SUN_COMM_NULL, &ctx): no MPI communicator */
#ifndef SUN_COMM_NULL
#define SUN_COMM_NULL NULL
#endif
#endif

#endif
