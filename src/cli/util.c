#include "../common/error.h"
#include "../model/presets.h"
#include "cli.h"
#include "../model/network_sens.h"
#include "../experiment/dispatch.h"
#include "../common/paths.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(void)
{
    int rank, size;
    ilnet_dispatch_world(&rank, &size);
    /* in an MPI run, what every rank knows is printed once, by rank 0 */
    if (rank == 0)
        fprintf(stderr, "ilnet: %s\n", ilnet_error_last());
    else if (!ilnet_dispatch_error_relayed())
        fprintf(stderr, "ilnet (rank %d): %s\n", rank, ilnet_error_last());
    return ilnet_error_code() == ILNET_ESOLVER ? EXIT_SOLVER : EXIT_INPUT;
}

static void print_message(ilnet_message_level level, const char *msg, void *payload)
{
    int quiet = payload != NULL;
    if (level == ILNET_MESSAGE_WARNING)
        fprintf(stderr, "ilnet: warning: %s\n", msg);
    else if (level == ILNET_MESSAGE_POINT)
        fprintf(stderr, "ilnet: %s\n", msg);
    else if (!quiet) {
        printf("%s\n", msg);
        fflush(stdout);
    }
}

static void print_stderr(ilnet_message_level level, const char *msg, void *payload)
{
    (void)payload;
    fprintf(stderr, "ilnet: %s%s\n", level == ILNET_MESSAGE_WARNING ? "warning: " : "", msg);
}

static int quiet_flag = 1;
const ilnet_notify cli_notify_stderr = {print_stderr, NULL};
const ilnet_notify cli_notify = {print_message, NULL};
const ilnet_notify cli_notify_quiet = {print_message, &quiet_flag};

const char *cli_model_path(const char *arg)
{
    static char *resolved; /* one model per command; kept until exit */
    if (!ilnet_is_builtin_name(arg)) return arg;
    free(resolved);
    if (!(resolved = ilnet_builtin_model(arg))) {
        cli_fail();
        return NULL;
    }
    return resolved;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ilnet %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'ilnet %s --help')\n", cmd);
    va_end(ap);
    return EXIT_INPUT;
}

int cli_parse_double(const char *s, double *out)
{
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int cli_parse_long(const char *s, long *out)
{
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno) return -1;
    *out = v;
    return 0;
}

char *cli_default_output(const char *model, const char *ext)
{
    const char *base = strrchr(model, '/');
    base = base ? base + 1 : model;
    size_t n = strlen(base), e = strlen(ext);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) n = (size_t)(dot - base);
    char *out = malloc(n + e + 1);
    if (out) {
        memcpy(out, base, n);
        memcpy(out + n, ext, e + 1);
    }
    return out;
}

int cli_common_option(int c, const char *cmd, const char *help, char **argv, double *atol,
                      double *rtol)
{
    if (c == 'a' && (cli_parse_double(optarg, atol) || *atol <= 0))
        return cli_usage_error(cmd, "--atol: expected a positive number, got '%s'", optarg);
    if (c == 'r' && (cli_parse_double(optarg, rtol) || *rtol <= 0))
        return cli_usage_error(cmd, "--rtol: expected a positive number, got '%s'", optarg);
    if (c == 'h') {
        fputs(help, stdout);
        return EXIT_OK;
    }
    if (c == ':') return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    if (c == '?') return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    return -1;
}

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

const volatile sig_atomic_t *cli_signals_catch(cli_signals *saved)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    g_stop = 0;
    sigaction(SIGINT, &sa, &saved->old_int);
    sigaction(SIGTERM, &sa, &saved->old_term);
    return &g_stop;
}

void cli_signals_restore(const cli_signals *saved)
{
    sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &saved->old_term, NULL);
}

char *cli_join_args(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += 2 * strlen(argv[i]) + 3;
    char *s = malloc(n), *p = s;
    if (!s) return NULL;
    for (int i = 0; i < argc; i++) {
        if (i) *p++ = ' ';
        int quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"\\$") != NULL;
        if (quote) *p++ = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (quote && *c == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else
                *p++ = *c;
        }
        if (quote) *p++ = '\'';
    }
    *p = '\0';
    return s;
}

int cli_overrides_add(cli_overrides *o, int is_set, const char *arg, const char *cmd)
{
    if (is_set) {
        if (o->n_sets == 256) return cli_usage_error(cmd, "too many --set options");
        const char *eq = strchr(arg, '=');
        double v;
        if (!eq || eq == arg || cli_parse_double(eq + 1, &v))
            return cli_usage_error(cmd, "--set: expected NAME=NUMBER, got '%s'", arg);
        o->sets[o->n_sets++] = arg;
    } else {
        if (o->n_presets == 32) return cli_usage_error(cmd, "too many --preset options");
        o->presets[o->n_presets++] = arg;
    }
    return EXIT_OK;
}

int cli_overrides_apply(const cli_overrides *o, ilnet_network *net, const char *model, int quiet)
{
    if (o->n_presets) {
        char *def = o->presets_file ? NULL : ilnet_presets_default_path(model);
        const char *path = o->presets_file ? o->presets_file : def;
        if (!path) {
            fprintf(stderr,
                    "ilnet: --preset %s: no presets file (give --presets FILE or put "
                    "the model's .presets.yaml beside it)\n",
                    o->presets[0]);
            return EXIT_INPUT;
        }
        ilnet_presets ps;
        int rc = ilnet_presets_read(&ps, path);
        free(def);
        if (rc) return cli_fail();
        for (int i = 0; i < o->n_presets && !rc; i++) {
            const ilnet_preset *p = ilnet_presets_find(&ps, o->presets[i]);
            if (!p) {
                fprintf(stderr, "ilnet: %s: no preset '%s' (available:", ps.path, o->presets[i]);
                for (int k = 0; k < ps.n; k++)
                    fprintf(stderr, " %s", ps.p[k].name);
                fprintf(stderr, ")\n");
                ilnet_presets_free(&ps);
                return EXIT_INPUT;
            }
            rc = ilnet_preset_apply(net, &ps, p);
            if (!rc && !quiet && p->description) printf("preset %s: %s\n", p->name, p->description);
        }
        ilnet_presets_free(&ps);
        if (rc) return cli_fail();
    } else if (o->presets_file) {
        fprintf(stderr, "ilnet: --presets given without --preset\n");
        return EXIT_INPUT;
    }
    for (int i = 0; i < o->n_sets; i++) {
        const char *eq = strchr(o->sets[i], '=');
        char name[256];
        size_t n = (size_t)(eq - o->sets[i]);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, o->sets[i], n);
        name[n] = '\0';
        double v = 0;
        cli_parse_double(eq + 1, &v);
        if (ilnet_network_find_parameter(net, name) < 0) {
            char dym[300];
            fprintf(stderr, "ilnet: --set %s: the model has no parameter '%s'%s\n", o->sets[i],
                    name,
                    ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER, name, dym, sizeof dym));
            return EXIT_INPUT;
        }
        if (ilnet_network_set_parameter(net, name, v)) return cli_fail();
    }
    return EXIT_OK;
}

/* --sens LIST: "all" parameters, or names of parameters and species */
int cli_set_sensitivities(ilnet_solver *solver, const ilnet_network *net, const char *list,
                          const char *model, const ilnet_solver_options *so)
{
    size_t np = ilnet_network_parameter_count(net), cap = np + ilnet_network_species_count(net);
    int *which = malloc((cap + 1) * sizeof *which), k = 0, rc = 0;
    char *copy = strdup(list);
    if (!which || !copy) {
        free(which);
        free(copy);
        return ilnet_error_oom();
    }
    if (!strcmp(list, "all")) {
        for (size_t i = 0; i < np; i++)
            which[k++] = (int)i;
    } else {
        for (char *t = strtok(copy, ","); t && !rc; t = strtok(NULL, ",")) {
            const char *name = t;
            if ((size_t)k == cap)
                rc = ilnet_error_set(ILNET_EINPUT,
                                     "%s: --sens lists more names than the model "
                                     "has parameters and species",
                                     model);
            else if ((rc = ilnet_sens_resolve(&which[k], net, &name, 1)))
                ilnet_error_set(rc, "%s: --sens: '%s' is neither a parameter nor a species", model,
                                name);
            for (int i = 0; i < k && !rc; i++)
                if (which[i] == which[k])
                    rc = ilnet_error_set(ILNET_EINPUT, "%s: --sens: '%s' is listed twice", model,
                                         name);
            k++;
        }
    }
    if (!rc && k == 0)
        rc = ilnet_error_set(ILNET_EINPUT, "%s: --sens: the model has no parameters", model);
    if (!rc) rc = ilnet_solver_set_sensitivities(solver, which, k, so->atol, so->rtol);
    free(which);
    free(copy);
    return rc;
}
