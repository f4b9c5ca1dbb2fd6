/* Reader for BioNetGen .net files (the parameters, species, reactions and groups blocks
 * as BioNetGen 2.9 writes them). */
#ifndef ILNET_NETFILE_H
#define ILNET_NETFILE_H

#include "network.h"

/* Reads and compiles path. On error returns ILNET_EINPUT/EIO/ENOMEM and the last error
 * reads "path:line: what (offending token)". */
int ilnet_netfile_read(ilnet_network **out, const char *path);
/* Same, from text already in memory; path is used only in messages. */
int ilnet_netfile_parse(ilnet_network **out, const char *text, size_t len, const char *path);

/* Writes net as a BioNetGen-compatible .net file (via a temporary name, then rename). */
int ilnet_netfile_write(const ilnet_network *net, const char *path);

#endif
