/* Throughput of a study sweep (benchmarks/sweep_10k.yaml unless given) with 1 and 2 (or
 * --threads a,b,...) worker threads, and where the time goes: the share of the run spent
 * inside ilnet_solver_run (CVODE plus the model's RHS and Jacobian), summed over the
 * points, against threads x elapsed. Everything else -- model loading, setup, parameter
 * changes, the HDF5 writer, the final compressed file -- is "outside".
 *
 * usage: bench_study [--threads 1,2] [--keep] [CONFIG.yaml] */
#include <ilnet/error.h>
#include <ilnet/study.h>

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Sums the stats column named col over every group's points. */
static double sum_stat(const char *path, const char *col, long *points)
{
    double total = 0;
    *points = 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return -1;
    hsize_t n_groups = 0;
    H5Gget_num_objs(f, &n_groups);
    for (hsize_t g = 0; g < n_groups; g++) {
        char name[256];
        H5Gget_objname_by_idx(f, g, name, sizeof name);
        char sp[300];
        snprintf(sp, sizeof sp, "%s/stats", name);
        hid_t d = H5Dopen2(f, sp, H5P_DEFAULT);
        if (d < 0) continue;
        hid_t s = H5Dget_space(d);
        hsize_t dims[2];
        H5Sget_simple_extent_dims(s, dims, NULL);
        double *v = malloc(dims[0] * dims[1] * sizeof *v);
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
        /* the column index from the stat names */
        snprintf(sp, sizeof sp, "%s/stat", name);
        hid_t dn = H5Dopen2(f, sp, H5P_DEFAULT);
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        char **names = malloc(dims[1] * sizeof *names);
        H5Dread(dn, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, names);
        int c = -1;
        for (hsize_t k = 0; k < dims[1]; k++)
            if (!strcmp(names[k], col)) c = (int)k;
        for (hsize_t i = 0; c >= 0 && i < dims[0]; i++)
            total += v[i * dims[1] + c];
        *points += (long)dims[0];
        H5Dvlen_reclaim(t, H5Dget_space(dn), H5P_DEFAULT, names);
        free(names);
        H5Tclose(t);
        H5Dclose(dn);
        free(v);
        H5Sclose(s);
        H5Dclose(d);
    }
    H5Fclose(f);
    return total;
}

int main(int argc, char **argv)
{
    const char *config = "benchmarks/sweep_10k.yaml";
    char threads_arg[64] = "1,2";
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            snprintf(threads_arg, sizeof threads_arg, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_study [--threads 1,2] [--keep] [CONFIG.yaml]\n");
            return 1;
        } else
            config = argv[i];
    }
    printf("# ilnet bench_study: %s, %ld cores online\n", config, sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-8s %8s %10s %10s %8s %10s %9s %9s\n", "threads", "points", "elapsed_s", "pts/s",
           "speedup", "solver_s", "in_solver", "outside");
    double base = 0;
    for (char *tok = strtok(threads_arg, ","); tok; tok = strtok(NULL, ",")) {
        int th = atoi(tok);
        char out[256];
        snprintf(out, sizeof out, "/tmp/bench_study_%d_%d.h5", (int)getpid(), th);
        ilnet_study_options o = ILNET_STUDY_OPTIONS_INIT;
        o.threads = th;
        o.output = out;
        double t0 = now_s();
        int rc = ilnet_study_run(config, &o);
        double el = now_s() - t0;
        if (rc) {
            fprintf(stderr, "bench_study: %s\n", ilnet_error_last());
            return 1;
        }
        long pts;
        double solver = sum_stat(out, "solver_s", &pts);
        double rate = (double)pts / el;
        if (!base) base = rate;
        double in = solver / ((double)th * el);
        printf("%-8d %8ld %10.3f %10.1f %8.2f %10.3f %8.1f%% %8.1f%%\n", th, pts, el, rate,
               rate / base, solver, 100 * in, 100 * (1 - in));
        fflush(stdout);
        if (!keep) unlink(out);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("# peak RSS %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    return 0;
}
