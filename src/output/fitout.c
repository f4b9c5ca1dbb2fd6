/* The best parameters as a PEtab table and an ilnet presets file (fitout.h). */
#include "fitout.h"

#include "../common/error.h"
#include "../common/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* written under a temporary name, renamed when complete */
static FILE *open_temp(char *tmp, size_t n, const char *path)
{
    if (ilnet_file_temp_name(tmp, n, path, "tmp")) return NULL;
    FILE *f = fopen(tmp, "w");
    if (!f) ilnet_error_set(ILNET_EIO, "%s: cannot create", path);
    return f;
}

static int close_temp(FILE *f, const char *tmp, const char *path)
{
    int bad = ferror(f) | fclose(f);
    if (!bad && rename(tmp, path) == 0) return 0;
    unlink(tmp);
    return ilnet_error_set(ILNET_EIO, "%s: write failed", path);
}

int ilnet_fit_write_parameter_table(const char *path, const ilnet_petab *p, const double *x)
{
    char tmp[4096];
    FILE *f = open_temp(tmp, sizeof tmp, path);
    if (!f) return ilnet_error_code() ? ilnet_error_code() : ILNET_EIO;
    fprintf(f, "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n");
    for (size_t i = 0; i < p->n_par; i++) {
        const petab_parameter *q = &p->par[i];
        fprintf(f, "%s\t%s\t%.17g\t%.17g\t%.17g\t%d\n", q->id, petab_scale_name(q->scale), q->lower,
                q->upper, x[i], q->estimate ? 1 : 0);
    }
    return close_temp(f, tmp, path);
}

int ilnet_fit_write_presets(const char *path, const ilnet_petab *p, const double *x,
                            const ilnet_fit *fit, const char *problem)
{
    char tmp[4096];
    FILE *f = open_temp(tmp, sizeof tmp, path);
    if (!f) return ilnet_error_code() ? ilnet_error_code() : ILNET_EIO;
    const ilnet_fit_start *b = &fit->starts[fit->best];
    fprintf(f,
            "# Written by ilnet fit: the estimated model parameters of the best start.\n"
            "# ilnet simulate %s --presets THIS_FILE --preset fit\n"
            "presets:\n  fit:\n    description: \"best of %zu starts of %s (start %zu, llh "
            "%.10g)\"\n    parameters:\n",
            p->model_path, fit->n_starts, problem, fit->best, b->llh);
    int any = 0;
    for (size_t i = 0; i < p->n_par; i++)
        if (p->par[i].estimate && ilnet_network_find_parameter(p->net, p->par[i].id) >= 0) {
            fprintf(f, "      %s: %.17g\n", p->par[i].id, x[i]);
            any = 1;
        }
    if (!any) fprintf(f, "      {}\n");
    return close_temp(f, tmp, path);
}
