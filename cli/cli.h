/* Shared pieces of the ilnet subcommands. */
#ifndef ILNET_CLI_H
#define ILNET_CLI_H

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_SOLVER = 2 };

int cmd_simulate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_netgen(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* Prints "ilnet: message" for the last library error and returns the exit code for it. */
int cli_fail(void);
/* Prints "ilnet CMD: message" for a usage problem and returns EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strict number parsing: the whole string must be a finite number. */
int cli_parse_double(const char *s, double *out);
int cli_parse_long(const char *s, long *out);
/* The command line as one string (for provenance); caller frees. */
char *cli_join_args(int argc, char **argv);

#endif
