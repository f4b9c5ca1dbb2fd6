/* Loads a model file into a compiled network, choosing the reader by file extension
 * (.net, .bngl, .xml/.sbml). notify (may be NULL) receives the readers' warnings. */
#ifndef ILNET_LOAD_H
#define ILNET_LOAD_H

#include "../common/notify.h"
#include "network.h"

int ilnet_network_load(ilnet_network **out, const char *path, const ilnet_notify *notify);

#endif
