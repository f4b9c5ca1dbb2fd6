#ifndef ILNET_VERSION_H
#define ILNET_VERSION_H
#define ILNET_VERSION "0.1.0"
#endif
