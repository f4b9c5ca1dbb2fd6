/* Loads a model (a file, or a built-in model name), applies a preset, sets a parameter,
 * simulates and prints the observables at a few times; then the same again from a copy
 * with another dose, the way a dose response would run on worker threads.
 *
 *   cc simulate.c $(pkg-config --cflags --libs ilnet) -o simulate
 *   ./simulate [MODEL] [PRESET] [PARAMETER=VALUE] */
#include <ilnet/ilnet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
    fprintf(stderr, "simulate: %s: %s\n", what, ilnet_error_last());
    return 1;
}

static void print_rows(const ilnet_model *m, const ilnet_simulation *s)
{
    size_t no = ilnet_simulation_observable_count(s);
    const double *t = ilnet_simulation_times(s), *obs = ilnet_simulation_observables(s);
    printf("%10s", "time");
    for (size_t k = 0; k < no && k < 4; k++)
        printf(" %14s", ilnet_model_observable_name(m, k));
    printf("\n");
    for (size_t r = 0; r < ilnet_simulation_rows(s); r++) {
        printf("%10g", t[r]);
        for (size_t k = 0; k < no && k < 4; k++)
            printf(" %14.6g", obs[r * no + k]);
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    const char *model = argc > 1 ? argv[1] : "il2_il7";
    const char *preset = argc > 2 ? argv[2] : NULL;
    printf("ilnet %s (headers %s)\n", ilnet_version(NULL, NULL, NULL), ILNET_VERSION);

    ilnet_model *m;
    if (ilnet_model_load(&m, model, NULL)) return fail(model);
    printf("%s: %zu species, %zu reactions, %zu observables, %zu presets\n", ilnet_model_path(m),
           ilnet_model_species_count(m), ilnet_model_reaction_count(m),
           ilnet_model_observable_count(m), ilnet_model_preset_count(m));
    if (preset && ilnet_model_apply_preset(m, preset)) return fail(preset);
    char name[256];
    double value;
    if (argc > 3 && sscanf(argv[3], "%255[^=]=%lf", name, &value) == 2 &&
        ilnet_model_set_parameter(m, name, value))
        return fail(argv[3]);

    double times[] = {0, 5, 15, 30, 60};
    size_t n = sizeof times / sizeof *times;
    ilnet_simulate_options o = ILNET_SIMULATE_OPTIONS_INIT;
    o.rtol = 1e-6;
    ilnet_simulation *s;
    int rc = ilnet_model_simulate(&s, m, times, n, &o);
    if (rc && !s) return fail("simulate");
    print_rows(m, s);
    if (rc) fprintf(stderr, "simulate: stopped early: %s\n", ilnet_simulation_message(s));
    ilnet_simulation_free(s);

    /* an independent copy in the same state, e.g. for another thread */
    ilnet_model *c;
    if (ilnet_model_copy(&c, m)) return fail("copy");
    if (argc > 3 && ilnet_model_set_parameter(c, name, value * 10)) return fail("copy set");
    if (ilnet_model_simulate(&s, c, times, n, &o)) return fail("simulate the copy");
    printf("copy%s:\n", argc > 3 ? " (parameter x 10)" : "");
    print_rows(c, s);
    ilnet_simulation_free(s);
    ilnet_model_free(c);
    ilnet_model_free(m);
    return 0;
}
