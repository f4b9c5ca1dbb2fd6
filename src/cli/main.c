/* ilnet: simulate cytokine signalling networks. */
#include <ilnet/version.h>
#include "cli.h"

#include <hdf5.h>

#include <stdio.h>
#include <string.h>
#ifdef ILNET_MPI
#include <mpi.h>
#endif

static void usage(FILE *f)
{
    fputs("usage: ilnet <command> [options]\n"
          "\n"
          "commands:\n"
          "  simulate MODEL   integrate a model and write its time course (HDF5, CSV, .gdat)\n"
          "  steady-state MODEL  the steady state reached from the initial amounts (Newton,\n"
          "                   integration), with sensitivities\n"
          "  petab evaluate PROBLEM.yaml  a PEtab problem's log-likelihood\n"
          "  fit PROBLEM.yaml  multi-start parameter estimation on a PEtab problem\n"
          "  hill DATA.tsv    four-parameter Hill fits of measured dose responses\n"
          "  info MODEL       sizes, observables and conservation laws of a model\n"
          "  netgen MODEL.bngl  compile BNGL reaction rules into a network (.net)\n"
          "  run STUDY.yaml   run a study's experiments (time courses, sweeps, dose responses)\n"
          "  run MODEL.bngl   execute the model's actions (generate_network, simulate, ...)\n"
          "  export MODEL     write the network as SBML (--sbml OUT.xml) or .net (--net)\n"
          "\n"
          "options:\n"
          "  -h, --help       this help ('ilnet <command> --help' for a command's options)\n"
          "  --version        print the version\n"
          "\n"
          "Models: BioNetGen .net and .bngl files, SBML .xml. Exit status: 0 success, 1 bad input, "
          "2 solver "
          "failure.\n",
          f);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("ilnet %s\n", ILNET_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "simulate")) return cmd_simulate(argc - 1, argv + 1);
    if (!strcmp(cmd, "info")) return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "steady-state")) return cmd_steady(argc - 1, argv + 1);
    if (!strcmp(cmd, "petab")) return cmd_petab(argc - 1, argv + 1);
    if (!strcmp(cmd, "fit")) return cmd_fit(argc - 1, argv + 1);
    if (!strcmp(cmd, "hill")) return cmd_hill(argc - 1, argv + 1);
    if (!strcmp(cmd, "netgen")) return cmd_netgen(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "export")) return cmd_export(argc - 1, argv + 1);
    fprintf(stderr, "ilnet: unknown command '%s' (see 'ilnet --help')\n", cmd);
    return EXIT_INPUT;
}

int main(int argc, char **argv)
{
    /* HDF5 1.10's exit-time cleanup closes a file that a failed H5Fclose (a full disk) left
     * half-open, and crashes (HDFFV-11052, fixed in 1.14.1). Every file ilnet opens is
     * closed by ilnet, so the cleanup is not needed: the process owner turns it off. */
    H5dont_atexit();
#ifdef ILNET_MPI
    /* only each process's main thread calls MPI (the study writer) */
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fputs("ilnet: MPI_Init_thread failed\n", stderr);
        return EXIT_INPUT;
    }
    int rc = dispatch(argc, argv);
    MPI_Finalize();
    return rc;
#else
    return dispatch(argc, argv);
#endif
}
