/* Network generation benchmark: compiles each reference model's driver .bngl into its
 * reaction network repeatedly and reports the median time per generation (parse and
 * generation separately), the network size and the process's peak RSS.
 * usage: bench_netgen [--min-seconds S] [--models a,b,...] REFDIR */
#define _POSIX_C_SOURCE 200809L

#include "common/error.h"
#include "common/file.h"
#include "model/bngl/bngl.h"
#include "model/netfile.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmps(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int bench(const char *dir, const char *model, double min_seconds)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s.bngl", dir, model, model);
    char *text;
    size_t len;
    if (ilnet_file_read(&text, &len, path)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    double parse[1000], gen[1000], t_start = now();
    int runs = 0;
    size_t ns = 0, nr = 0;
    while (runs < 1000 && (runs < 5 || now() - t_start < min_seconds)) {
        ilnet_bngl_model *m;
        ilnet_netgen_options opt;
        ilnet_network *net;
        double t0 = now();
        if (ilnet_bngl_parse(&m, path, text)) {
            fprintf(stderr, "%s\n", ilnet_error_last());
            return 1;
        }
        double t1 = now();
        if (ilnet_bngl_netgen_options(&opt, m) || ilnet_bngl_generate(&net, m, &opt, NULL)) {
            fprintf(stderr, "%s\n", ilnet_error_last());
            return 1;
        }
        double t2 = now();
        parse[runs] = (t1 - t0) * 1e3;
        gen[runs] = (t2 - t1) * 1e3;
        runs++;
        ns = ilnet_network_species_count(net);
        nr = ilnet_network_reaction_count(net);
        ilnet_network_free(net);
        ilnet_netgen_options_free(&opt);
        ilnet_bngl_free(m);
    }
    free(text);
    qsort(parse, (size_t)runs, sizeof *parse, cmpd);
    qsort(gen, (size_t)runs, sizeof *gen, cmpd);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%-24s %8zu %9zu %9.3f %12.3f %10.3f %6d %8.1f\n", model, ns, nr, parse[runs / 2],
           gen[runs / 2], gen[0], runs, (double)ru.ru_maxrss / 1024.0);
    return 0;
}

int main(int argc, char **argv)
{
    double min_seconds = 1.0;
    const char *models = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--min-seconds") && i + 1 < argc)
            min_seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_netgen [--min-seconds S] [--models a,b,...] REFDIR\n");
            return 2;
        } else
            dir = argv[i];
    }
    if (!dir) {
        fprintf(stderr, "usage: bench_netgen [--min-seconds S] [--models a,b,...] REFDIR\n");
        return 2;
    }
    char *names[256];
    int n = 0;
    if (models) {
        char *copy = strdup(models);
        for (char *t = strtok(copy, ","); t && n < 256; t = strtok(NULL, ","))
            names[n++] = strdup(t);
        free(copy);
    } else {
        DIR *d = opendir(dir);
        if (!d) {
            perror(dir);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(d)) && n < 256)
            if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
        closedir(d);
        qsort(names, (size_t)n, sizeof *names, cmps);
    }
    printf("%-24s %8s %9s %9s %12s %10s %6s %8s\n", "model", "species", "reactions", "parse_ms",
           "generate_ms", "min_ms", "runs", "rss_MB");
    int rc = 0;
    for (int i = 0; i < n; i++) {
        rc |= bench(dir, names[i], min_seconds);
        free(names[i]);
    }
    return rc;
}
