/* A BNGL pattern counted over a compiled network's species, as an observable would count
 * it: for readouts that name a pattern instead of an observable of the model. */
#include "../../common/error.h"
#include "bngl.h"
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int stop_at_first(void *ctx, const int *molmap, const int *compmap)
{
    (void)ctx;
    (void)molmap;
    (void)compmap;
    return 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* species s of net against the parsed pattern: its weight into *w */
static int species_weight(ilnet_bngl_model *m, const ilnet_network *net, size_t s,
                          const ilnet_graph *pat, const ilnet_match_plan *plan, ilnet_match_ws *ws,
                          int species_count, double *w)
{
    ilnet_graph g;
    ilnet_graph_init(&g);
    const char *name = ilnet_network_species(net, s)->name;
    int rc = ilnet_bngl_parse_graph(&g, m, name, 1);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ilnet_error_last());
        ilnet_graph_free(&g);
        return ilnet_error_set(ILNET_EINPUT, "species '%s' is not a BNGL species (%s)", name, msg);
    }
    long c = ilnet_match(ws, plan, pat, &g, ILNET_MATCH_EMBED, species_count ? stop_at_first : NULL,
                         NULL);
    ilnet_graph_free(&g);
    if (c < 0) return (int)c;
    *w = species_count ? (c > 0) : (double)c;
    return 0;
}

int ilnet_bngl_pattern_weights(const ilnet_network *net, const char *pattern, int species_count,
                               int *sp, double *w, int *n)
{
    const char *path = ilnet_network_source_path(net), *text = ilnet_network_source_text(net);
    *n = 0;
    if (!path || !text || !ends_with(path, ".bngl"))
        return ilnet_error_set(ILNET_EINPUT,
                               "pattern '%s': patterns need a BNGL model (.bngl), which declares "
                               "the molecule types; %s is not one",
                               pattern, path ? path : "this model");
    ilnet_bngl_model *m = NULL;
    int rc = ilnet_bngl_parse(&m, path, text);
    if (rc) return rc;
    ilnet_graph pat;
    ilnet_graph_init(&pat);
    ilnet_match_plan plan;
    memset(&plan, 0, sizeof plan);
    ilnet_match_ws ws;
    memset(&ws, 0, sizeof ws);
    rc = ilnet_bngl_parse_graph(&pat, m, pattern, 0);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ilnet_error_last());
        rc = ilnet_error_set(ILNET_EINPUT, "%s", msg);
    }
    if (!rc) rc = ilnet_match_plan_init(&plan, &pat);
    for (size_t s = 0; s < ilnet_network_species_count(net) && !rc; s++) {
        double x = 0;
        rc = species_weight(m, net, s, &pat, &plan, &ws, species_count, &x);
        if (!rc && x != 0) {
            sp[*n] = (int)s;
            w[(*n)++] = x;
        }
    }
    ilnet_match_plan_free(&plan);
    ilnet_match_ws_free(&ws);
    ilnet_graph_free(&pat);
    ilnet_bngl_free(m);
    return rc;
}
