/* Runs the actions of a BNGL file in order, as BioNetGen does: generate_network, simulate
 * (ode), setConcentration, setParameter, saveConcentrations/resetConcentrations,
 * parameter_scan, writeNetwork. Every action is checked before the first one runs. */
#ifndef ILNET_ACTIONS_H
#define ILNET_ACTIONS_H

#include "../common/notify.h"
#include "../model/bngl/bngl.h"
#include "../solver/timecourse_meta.h"

/* Writes one simulate's result: the HDF5 time course at h5_path and, when gdat_prefix is
 * not NULL, PREFIX.gdat/.cdat (the output layer's ilnet_output_write_simulation). */
typedef int (*ilnet_actions_write_fn)(void *payload, const char *h5_path, const char *gdat_prefix,
                                      const ilnet_network *net, const ilnet_result *res,
                                      const ilnet_timecourse_meta *meta);

typedef struct {
    int gdat;                     /* also write .gdat/.cdat per simulate */
    const char *outdir;           /* where outputs go (default: the current directory) */
    const char *command_line;     /* provenance for HDF5 files */
    ilnet_actions_write_fn write; /* NULL: simulate writes nothing */
    void *write_payload;
    ilnet_notify notify; /* progress lines (INFO) and warnings */
} ilnet_actions_options;

#define ILNET_ACTIONS_OPTIONS_INIT                                                                 \
    {                                                                                              \
        0, NULL, NULL, NULL, NULL, ILNET_NOTIFY_NONE                                               \
    }

/* Checks every action's name, arguments and values; errors carry file:line. */
int ilnet_actions_check(const ilnet_bngl_model *m);
/* Returns 0, an input error, or ILNET_ESOLVER when a simulation failed (its partial output
 * is written and marked). */
int ilnet_actions_run(ilnet_bngl_model *m, const ilnet_actions_options *opts);

#endif
