/* Runs the actions of a BNGL file in order, as BioNetGen does: generate_network, simulate
 * (ode), setConcentration, setParameter, saveConcentrations/resetConcentrations,
 * parameter_scan, writeNetwork. Every action is checked before the first one runs. */
#ifndef ILNET_ACTIONS_H
#define ILNET_ACTIONS_H

#include "../model/bngl/bngl.h"

typedef struct {
    int gdat;                 /* also write .gdat/.cdat per simulate */
    int quiet;                /* no progress lines on stdout */
    const char *outdir;       /* where outputs go (default: the current directory) */
    const char *command_line; /* provenance for HDF5 files */
} ilnet_actions_options;

#define ILNET_ACTIONS_OPTIONS_INIT                                                                 \
    {                                                                                              \
        0, 0, NULL, NULL                                                                           \
    }

/* Checks every action's name, arguments and values; errors carry file:line. */
int ilnet_actions_check(const ilnet_bngl_model *m);
/* Returns 0, an input error, or ILNET_ESOLVER when a simulation failed (its partial output
 * is written and marked). */
int ilnet_actions_run(ilnet_bngl_model *m, const ilnet_actions_options *opts);

#endif
