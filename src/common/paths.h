/* Where ilnet's installed data (the built-in pathway models) is: found from the location of
 * the code itself, never from a path compiled in, so a moved build or install tree keeps
 * using its own models. Looked up, in order: $ILNET_DATA_DIR; then, beside the shared
 * library or the executable that holds ilnet (DIR), DIR/share/ilnet (a build tree),
 * DIR/../share/ilnet (PREFIX/bin, PREFIX/lib) and DIR/../../share/ilnet (PREFIX/lib/<triplet>).
 * A directory counts when it holds models/. */
#ifndef ILNET_PATHS_H
#define ILNET_PATHS_H

#include <ilnet/common.h>

#include <stddef.h>

/* The data directory (caller frees), or NULL with the error set (EIO, naming where it
 * looked). */
ILNET_EXTERN(char *) ilnet_data_dir(void);
/* path of the built-in model `name` (DATA/models/NAME.bngl; caller frees) when name is a
 * bare name (no '/', no extension) and that file exists; NULL otherwise, with the error set
 * when name looked like a built-in name. */
char *ilnet_builtin_model(const char *name);
/* 1 when name looks like a built-in model name: no '/' and no '.'. */
int ilnet_is_builtin_name(const char *name);

#endif
