/* Suggestions for names the network does not have. */
#include "../common/suggest.h"
#include "network.h"

typedef struct {
    const ilnet_network *net;
    ilnet_name_kind kind;
} names;

static const char *name_at(const void *ctx, size_t i)
{
    const names *n = ctx;
    switch (n->kind) {
    case ILNET_NAME_PARAMETER:
        return ilnet_network_parameter(n->net, i)->name;
    case ILNET_NAME_SPECIES:
        return ilnet_network_species(n->net, i)->name;
    case ILNET_NAME_OBSERVABLE:
        return ilnet_network_observable(n->net, i)->name;
    case ILNET_NAME_FUNCTION:
        return ilnet_network_function(n->net, i)->name;
    }
    return NULL;
}

const char *ilnet_network_did_you_mean(const ilnet_network *net, ilnet_name_kind kind,
                                       const char *name, char *buf, size_t size)
{
    names n = {net, kind};
    size_t count = kind == ILNET_NAME_PARAMETER    ? ilnet_network_parameter_count(net)
                   : kind == ILNET_NAME_SPECIES    ? ilnet_network_species_count(net)
                   : kind == ILNET_NAME_OBSERVABLE ? ilnet_network_observable_count(net)
                                                   : ilnet_network_function_count(net);
    return ilnet_did_you_mean(buf, size, name, name_at, &n, count);
}
