/* BioNetGen .net writer: the four blocks run_network and ilnet's reader understand. */
#include "../common/error.h"
#include <ilnet/version.h>
#include "netfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_blocks(FILE *f, const ilnet_network *net)
{
    fprintf(f, "# Created by ilnet %s\n", ILNET_VERSION);
    if (ilnet_network_source_path(net)) fprintf(f, "# from %s\n", ilnet_network_source_path(net));
    fputs("begin parameters\n", f);
    for (size_t i = 0; i < ilnet_network_parameter_count(net); i++) {
        const ilnet_parameter *p = ilnet_network_parameter(net, i);
        fprintf(f, "%5zu %-12s %s\n", i + 1, p->name, p->text);
    }
    fputs("end parameters\n", f);
    if (ilnet_network_function_count(net)) {
        fputs("begin functions\n", f);
        for (size_t i = 0; i < ilnet_network_function_count(net); i++) {
            const ilnet_function *fn = ilnet_network_function(net, i);
            fprintf(f, "%5zu %s() %s\n", i + 1, fn->name, fn->text);
        }
        fputs("end functions\n", f);
    }
    fputs("begin species\n", f);
    for (size_t i = 0; i < ilnet_network_species_count(net); i++) {
        const ilnet_species *s = ilnet_network_species(net, i);
        fprintf(f, "%5zu %s%s %s\n", i + 1, s->fixed ? "$" : "", s->name, s->amount_text);
    }
    fputs("end species\nbegin reactions\n", f);
    for (size_t i = 0; i < ilnet_network_reaction_count(net); i++) {
        const ilnet_reaction *r = ilnet_network_reaction(net, i);
        fprintf(f, "%5zu ", i + 1);
        if (!r->n_reactants) fputc('0', f);
        for (int k = 0; k < r->n_reactants; k++)
            fprintf(f, "%s%d", k ? "," : "", r->reactants[k] + 1);
        fputc(' ', f);
        if (!r->n_products) fputc('0', f);
        for (int k = 0; k < r->n_products; k++)
            fprintf(f, "%s%d", k ? "," : "", r->products[k] + 1);
        fprintf(f, " %s", r->rate_text);
        if (r->label) fprintf(f, " #%s", r->label);
        fputc('\n', f);
    }
    fputs("end reactions\nbegin groups\n", f);
    for (size_t i = 0; i < ilnet_network_observable_count(net); i++) {
        const ilnet_observable *o = ilnet_network_observable(net, i);
        fprintf(f, "%5zu %-20s ", i + 1, o->name);
        for (int k = 0; k < o->n_terms; k++) {
            if (k) fputc(',', f);
            if (o->weights[k] != 1.0) fprintf(f, "%.17g*", o->weights[k]);
            fprintf(f, "%d", o->species[k] + 1);
        }
        fputc('\n', f);
    }
    fputs("end groups\n", f);
}

int ilnet_netfile_write(const ilnet_network *net, const char *path)
{
    if (ilnet_network_event_count(net))
        return ilnet_error_set(ILNET_EINPUT, "%s: .net files cannot hold events (event '%s')", path,
                               ilnet_network_event(net, 0)->name);
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) return ilnet_error_oom();
    snprintf(tmp, n + 16, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int rc = ilnet_error_set(ILNET_EIO, "%s: cannot create: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    write_blocks(f, net);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int rc = ilnet_error_set(ILNET_EIO, "%s: write failed: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return 0;
}
