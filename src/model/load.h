/* Loads a model file into a compiled network, choosing the reader by file extension. */
#ifndef ILNET_LOAD_H
#define ILNET_LOAD_H

#include "network.h"

int ilnet_model_load(ilnet_network **out, const char *path);

#endif
