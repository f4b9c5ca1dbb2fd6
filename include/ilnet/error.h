/* The last error of the calling thread (libgit2 style): after a function returned a
 * negative code, ilnet_error_last() says why, naming the file, line and element at fault,
 * e.g. "model.bngl:12: reaction rule 'R5': undefined name 'kx'". */
#ifndef INCLUDE_ILNET_ERROR_H
#define INCLUDE_ILNET_ERROR_H

#include "common.h"

ILNET_BEGIN_DECL

/* The message of the last failure on this thread ("no error" when none). */
ILNET_EXTERN(const char *) ilnet_error_last(void);
/* Its code (an ILNET_E* value), 0 when none. */
ILNET_EXTERN(int) ilnet_error_code(void);
ILNET_EXTERN(void) ilnet_error_clear(void);

ILNET_END_DECL

#endif
