#include "../common/error.h"
#include "../common/file.h"
#include "../experiment/actions.h"
#include "../experiment/dispatch.h"
#include "../output/simulation.h"
#include <ilnet/study.h>
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: ilnet run STUDY.yaml [--threads N] [--resume | --overwrite] [--check] [-o OUT.h5]\n"
    "                            [--set NAME=VALUE]... [-q]\n"
    "       ilnet run MODEL.bngl [--gdat] [--outdir DIR] [-q]\n"
    "\n"
    "STUDY.yaml: runs the experiments of a study config (docs/study.md) on every core and\n"
    "writes one HDF5 file. The whole config is checked before anything runs.\n"
    "  --threads N      worker threads (default: every core)\n"
    "  --resume         continue an interrupted study file, skipping finished points\n"
    "  --overwrite      replace an unfinished study file instead of refusing\n"
    "  --set NAME=V     set a model parameter for every point, like the config's top-level\n"
    "                   parameters (after them; experiments, series and sweeps that set it\n"
    "                   win); recorded in the file (attribute 'set'), --resume needs the same\n"
    "  --check          validate the config and the model, run nothing\n"
    "  -o, --output F   the HDF5 file (default: output.file, or STUDY.h5 beside the config)\n"
    "  --max-size GB    refuse a study whose file would be larger (default 10; 'none': no\n"
    "                   limit); --check prints the size\n"
    "  -q, --quiet      no progress bar, no summary\n"
    "\n"
    "MODEL.bngl: "
    "executes the actions of MODEL.bngl in order, as BioNetGen does: generate_network\n"
    "(writes MODEL.net), simulate/simulate_ode (method \"ode\"; one HDF5 file\n"
    "MODEL[_suffix].h5 each, continuing from the previous end state), setConcentration,\n"
    "setParameter, saveConcentrations, resetConcentrations, parameter_scan (MODEL_suffix.scan)\n"
    "and writeNetwork. All actions are checked before the first one runs.\n"
    "\n"
    "  --gdat           also write MODEL[_suffix].gdat and .cdat for every simulate\n"
    "  --outdir DIR     write outputs into DIR (default: the current directory)\n"
    "  -q, --quiet      no progress lines\n"
    "\n"
    "Exit status: 0 success, 1 bad input (or an interrupted study), 2 solver failure (a\n"
    "study records failed points and finishes the others).\n";

/* SIGINT and SIGTERM set a flag the progress callback hands to the library, which then
 * stops taking points and keeps the finished ones. */
typedef struct {
    int bar;   /* draw a progress bar (stderr is a terminal, not quiet, rank 0) */
    int quiet; /* no information lines (warnings still) */
    const volatile sig_atomic_t *stop;
} run_view;

static int on_progress(const ilnet_study_progress *p, void *payload)
{
    const run_view *v = payload;
    if (v->bar && p->rank == 0) {
        double el = p->elapsed_s, rate = el > 0 ? (double)p->done / el : 0;
        double eta = rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0;
        int width = 30;
        int fill = p->total ? (int)((double)width * (double)p->done / (double)p->total) : width;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = 0;
        fprintf(stderr, "\r[%s] %zu/%zu %5.1f%% %8.1f pts/s ETA %d:%02d:%02d ", bar, p->done,
                p->total, p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate,
                (int)(eta / 3600), (int)fmod(eta / 60, 60), (int)fmod(eta, 60));
        if (p->final) fputc('\n', stderr);
        fflush(stderr);
    }
    return *v->stop;
}

static void on_message(ilnet_message_level level, const char *msg, void *payload)
{
    const ilnet_notify *n = ((const run_view *)payload)->quiet ? &cli_notify_quiet : &cli_notify;
    n->fn(level, msg, n->payload);
}

static int run_study(const char *config, ilnet_study_options *so, int quiet)
{
    int rank, size;
    ilnet_dispatch_world(&rank, &size);
    cli_signals sig;
    run_view v = {!quiet && !so->check_only && isatty(2) && rank == 0, quiet,
                  cli_signals_catch(&sig)};
    so->progress = on_progress;
    so->message = on_message;
    so->payload = &v;
    int rc = ilnet_study_run(config, so);
    cli_signals_restore(&sig);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"gdat", no_argument, 0, 'g'},         {"threads", required_argument, 0, 't'},
        {"resume", no_argument, 0, 'r'},       {"overwrite", no_argument, 0, 'w'},
        {"check", no_argument, 0, 'c'},        {"output", required_argument, 0, 'o'},
        {"outdir", required_argument, 0, 'd'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {"max-size", required_argument, 0, 'm'},
        {"set", required_argument, 0, 's'},    {0, 0, 0, 0}};
    const char *C = "run";
    ilnet_actions_options o = ILNET_ACTIONS_OPTIONS_INIT;
    ilnet_study_options so = ILNET_STUDY_OPTIONS_INIT;
    int c, study_opt = 0, bngl_opt = 0, quiet = 0;
    const char *sets[256];
    long nthreads;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qho:", opts, NULL)) != -1) {
        switch (c) {
        case 'g':
            o.gdat = 1;
            bngl_opt = 1;
            break;
        case 'd':
            o.outdir = optarg;
            bngl_opt = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 't':
            if (cli_parse_long(optarg, &nthreads) || nthreads < 1 || nthreads > 4096)
                return cli_usage_error(C, "--threads needs a whole number 1-4096, not '%s'",
                                       optarg);
            so.threads = (int)nthreads;
            study_opt = 1;
            break;
        case 'r':
            so.resume = study_opt = 1;
            break;
        case 'w':
            so.overwrite = study_opt = 1;
            break;
        case 'c':
            so.check_only = study_opt = 1;
            break;
        case 'o':
            so.output = optarg;
            study_opt = 1;
            break;
        case 's':
            if (so.n_set == (int)(sizeof sets / sizeof *sets))
                return cli_usage_error(C, "more than %d --set options", so.n_set);
            sets[so.n_set++] = optarg;
            so.set = sets;
            study_opt = 1;
            break;
        case 'm': {
            double gb;
            if (!strcmp(optarg, "none"))
                so.max_output_bytes = -1;
            else if (!cli_parse_double(optarg, &gb) && gb > 0)
                so.max_output_bytes = gb * 1e9;
            else
                return cli_usage_error(C, "--max-size needs a size in GB (> 0) or 'none', not '%s'",
                                       optarg);
            study_opt = 1;
            break;
        }
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        case ':':
            return cli_usage_error(C, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(C, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error(C, "missing STUDY.yaml or MODEL.bngl");
    if (optind < argc - 1) return cli_usage_error(C, "unexpected argument '%s'", argv[optind + 1]);
    const char *model = argv[optind];
    size_t n = strlen(model);
    int yaml =
        (n >= 5 && !strcmp(model + n - 5, ".yaml")) || (n >= 4 && !strcmp(model + n - 4, ".yml"));
    if (yaml) {
        if (bngl_opt) return cli_usage_error(C, "--gdat and --outdir are for .bngl files");
        if (so.resume && so.overwrite)
            return cli_usage_error(C, "--resume and --overwrite exclude each other");
        const char *bad = so.output ? ilnet_file_non_hdf5_extension(so.output) : NULL;
        if (bad)
            return cli_usage_error(C, "-o %s names a %s file: a study writes one HDF5 file",
                                   so.output, bad);
        char *cmdline = cli_join_args(argc + 1, argv - 1);
        so.command_line = cmdline;
        int rc = run_study(model, &so, quiet);
        free(cmdline);
        return rc ? cli_fail() : EXIT_OK;
    }
    if (study_opt)
        return cli_usage_error(C,
                               "--threads, --resume, --overwrite, --check, --max-size, --set and "
                               "-o are for study configs (.yaml)");
    if (n < 5 || strcmp(model + n - 5, ".bngl"))
        return cli_usage_error(C, "%s: expected a study config (.yaml) or a .bngl file", model);
    ilnet_bngl_model *m;
    if (ilnet_bngl_read(&m, model)) return cli_fail();
    char *cmdline = cli_join_args(argc + 1, argv - 1);
    o.command_line = cmdline;
    o.write = ilnet_output_write_simulation;
    o.notify = quiet ? cli_notify_quiet : cli_notify;
    int rc = ilnet_actions_run(m, &o);
    int code = rc ? cli_fail() : EXIT_OK;
    free(cmdline);
    ilnet_bngl_free(m);
    return code;
}
