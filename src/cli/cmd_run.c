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
    "  --progress MODE  auto (default: a bar on a terminal, else a line every 10 s, for\n"
    "                   logs; a run shorter than that prints none), bar, lines or none;\n"
    "                   ILNET_PROGRESS_EVERY=S sets the lines' interval in seconds\n"
    "  -q, --quiet      no progress, no summary\n"
    "\n"
    "MODEL.bngl: "
    "executes the actions of MODEL.bngl in order, as BioNetGen does: generate_network\n"
    "(writes MODEL.net), simulate/simulate_ode (method \"ode\"; one HDF5 file\n"
    "MODEL[_suffix].h5 each, continuing from the previous end state), setConcentration,\n"
    "setParameter, saveConcentrations, resetConcentrations, parameter_scan (MODEL_suffix.scan)\n"
    "and writeNetwork. All actions are checked before the first one runs.\n"
    "\n"
    "  --gdat           also write MODEL[_suffix].gdat and .cdat for every simulate\n"
    "  --outdir DIR     write outputs into DIR, created when missing (default: the current\n"
    "                   directory)\n"
    "  -q, --quiet      no progress lines\n"
    "\n"
    "Exit status: 0 success, 1 bad input (or an interrupted study), 2 solver failure (a\n"
    "study records failed points and finishes the others).\n";

/* SIGINT and SIGTERM set a flag the progress callback hands to the library, which then
 * stops taking points and keeps the finished ones. */
typedef enum { PROGRESS_AUTO, PROGRESS_BAR, PROGRESS_LINES, PROGRESS_NONE } progress_mode;

typedef struct {
    int bar;         /* draw a progress bar (rank 0) */
    int lines;       /* a progress line every LINE_EVERY_S seconds (rank 0) */
    double last;     /* elapsed time of the last line */
    int lines_shown; /* lines printed so far (a run shorter than one interval prints none) */
    double every;    /* seconds between lines: LINE_EVERY_S, or ILNET_PROGRESS_EVERY */
    int quiet;       /* no information lines (warnings still) */
    const volatile sig_atomic_t *stop;
} run_view;

#define LINE_EVERY_S 10.0

/* For logs (Slurm, notebooks): "ilnet run: 1200/5000 points (24.0 %), 812 pts/s, ETA 0:00:04". */
static void progress_line(run_view *v, const ilnet_study_progress *p)
{
    if (p->final ? !v->lines_shown : p->elapsed_s - v->last < v->every) return;
    double el = p->elapsed_s, rate = el > 0 ? (double)p->done / el : 0;
    double eta = rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0;
    fprintf(stderr, "ilnet run: %zu/%zu points (%.1f %%), %.1f pts/s, %s %d:%02d:%02d\n", p->done,
            p->total, p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate,
            p->final ? "took" : "ETA", (int)((p->final ? el : eta) / 3600),
            (int)fmod((p->final ? el : eta) / 60, 60), (int)fmod(p->final ? el : eta, 60));
    fflush(stderr);
    v->last = p->elapsed_s;
    v->lines_shown++;
}

static int on_progress(const ilnet_study_progress *p, void *payload)
{
    run_view *v = payload;
    if (p->fit) return *v->stop; /* a fit's starts: each already has its message line */
    if (v->lines && p->rank == 0) progress_line(v, p);
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

static int run_study(const char *config, ilnet_study_options *so, int quiet, progress_mode pm)
{
    int rank, size;
    ilnet_dispatch_world(&rank, &size);
    cli_signals sig;
    int show = !quiet && !so->check_only && rank == 0 && pm != PROGRESS_NONE;
    int tty = isatty(2);
    run_view v = {show && (pm == PROGRESS_BAR || (pm == PROGRESS_AUTO && tty)),
                  show && (pm == PROGRESS_LINES || (pm == PROGRESS_AUTO && !tty)),
                  0,
                  0,
                  LINE_EVERY_S,
                  quiet,
                  cli_signals_catch(&sig)};
    const char *every = getenv("ILNET_PROGRESS_EVERY");
    double e;
    if (every && !cli_parse_double(every, &e) && e >= 0) v.every = e;
    so->progress = on_progress;
    so->message = on_message;
    so->payload = &v;
    so->cancel = v.stop; /* a fit experiment stops at once on Ctrl-C too */
    int rc = ilnet_study_run(config, so);
    cli_signals_restore(&sig);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"gdat", no_argument, 0, 'g'},
                                         {"threads", required_argument, 0, 't'},
                                         {"resume", no_argument, 0, 'r'},
                                         {"overwrite", no_argument, 0, 'w'},
                                         {"check", no_argument, 0, 'c'},
                                         {"output", required_argument, 0, 'o'},
                                         {"outdir", required_argument, 0, 'd'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {"max-size", required_argument, 0, 'm'},
                                         {"set", required_argument, 0, 's'},
                                         {"progress", required_argument, 0, 'p'},
                                         {0, 0, 0, 0}};
    const char *C = "run";
    ilnet_actions_options o = ILNET_ACTIONS_OPTIONS_INIT;
    ilnet_study_options so = ILNET_STUDY_OPTIONS_INIT;
    int c, study_opt = 0, bngl_opt = 0, quiet = 0;
    const char *sets[256];
    progress_mode pmode = PROGRESS_AUTO;
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
        case 'p':
            if (!strcmp(optarg, "auto"))
                pmode = PROGRESS_AUTO;
            else if (!strcmp(optarg, "bar"))
                pmode = PROGRESS_BAR;
            else if (!strcmp(optarg, "lines"))
                pmode = PROGRESS_LINES;
            else if (!strcmp(optarg, "none"))
                pmode = PROGRESS_NONE;
            else
                return cli_usage_error(C, "--progress takes auto, bar, lines or none, not '%s'",
                                       optarg);
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
        int rc = run_study(model, &so, quiet, pmode);
        free(cmdline);
        return rc ? cli_fail() : EXIT_OK;
    }
    if (study_opt)
        return cli_usage_error(C, "--threads, --resume, --overwrite, --check, --max-size, --set, "
                                  "--progress and -o are for study configs (.yaml)");
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
