/* Shared pieces of the ilnet subcommands. */
#ifndef ILNET_CLI_H
#define ILNET_CLI_H

#include <signal.h>

#include "../common/notify.h"
#include "../model/network.h"
#include "../solver/solver.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_SOLVER = 2 };

int cmd_simulate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_netgen(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_steady(int argc, char **argv);
int cmd_petab(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_hill(int argc, char **argv);

/* Prints "ilnet: message" for the last library error and returns the exit code for it. */
int cli_fail(void);
/* Prints "ilnet CMD: message" for a usage problem and returns EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strict number parsing: the whole string must be a finite number. */
int cli_parse_double(const char *s, double *out);
int cli_parse_long(const char *s, long *out);
/* The options getopt_long loops share: --atol/--rtol ('a', 'r'; positive numbers), --help
 * ('h': prints help), a missing value (':') and an unknown option ('?'). Returns -1 when c
 * was handled or is not one of them, else the exit code to return. */
int cli_common_option(int c, const char *cmd, const char *help, char **argv, double *atol,
                      double *rtol);
/* Presets (--preset, from --presets FILE or MODEL.presets.yaml beside the model) and then
 * --set NAME=VALUE overrides, in that order, on a compiled network. Returns 0 or prints
 * the error and returns the exit code. */
typedef struct {
    const char *presets_file;
    int n_presets, n_sets;
    const char *presets[32];
    const char *sets[256];
} cli_overrides;
int cli_overrides_add(cli_overrides *o, int is_set, const char *arg, const char *cmd);
int cli_overrides_apply(const cli_overrides *o, ilnet_network *net, const char *model, int quiet);

/* Where the library's messages go: information to stdout (unless quiet), warnings to
 * stderr as "ilnet: warning: ...". */
extern const ilnet_notify cli_notify, cli_notify_quiet;
/* Information to stderr too (progress of a command whose stdout is its result). */
extern const ilnet_notify cli_notify_stderr;

/* A model argument as a path: a built-in model name ("il2_il7") becomes that model's file in
 * the data directory of this build or install tree; other arguments come back as they are.
 * NULL after printing the error. The string lives as long as the program. */
const char *cli_model_path(const char *arg);

/* MODEL's file name without directory and extension, plus ext, in the current directory
 * (caller frees; NULL when out of memory). */
char *cli_default_output(const char *model, const char *ext);

/* --sens LIST ("all" parameters, or names of parameters and species) set on the solver;
 * 0 or an error naming the model and the name at fault. */
int cli_set_sensitivities(ilnet_solver *solver, const ilnet_network *net, const char *list,
                          const char *model, const ilnet_solver_options *so);

/* The command line as one string (for provenance); caller frees. */
char *cli_join_args(int argc, char **argv);

/* The CLI owns SIGINT and SIGTERM: while caught they only set the returned flag, which a
 * command hands to the library (a progress callback's return, a fit's cancel flag). */
typedef struct {
    struct sigaction old_int, old_term;
} cli_signals;
const volatile sig_atomic_t *cli_signals_catch(cli_signals *saved);
void cli_signals_restore(const cli_signals *saved);

#endif
