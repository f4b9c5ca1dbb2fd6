/* What a time-course output records beside the numbers. */
#ifndef ILNET_TIMECOURSE_META_H
#define ILNET_TIMECOURSE_META_H

#include "solver.h"

typedef struct {
    const char *model_path;
    const char *model_text;
    const char *command_line;
    const char *linear_solver; /* "dense" or "klu" */
    const ilnet_solver_options *options;
    double wall_seconds;
    const ilnet_steady_result *steady; /* a steady state (one row), or NULL */
    int print_functions; /* BNGL print_functions=>1: the functions' values beside the observables */
} ilnet_timecourse_meta;

#endif
