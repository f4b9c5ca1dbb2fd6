#include "conservation.h"

#include "../common/error.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ilnet_conservation_free(ilnet_conservation *c)
{
    for (size_t i = 0; i < c->n_laws; i++) {
        free(c->laws[i].species);
        free(c->laws[i].coef);
    }
    free(c->laws);
    c->laws = NULL;
    c->n_laws = 0;
}

double ilnet_conservation_eval(const ilnet_conservation_law *law, const double *y)
{
    double s = 0;
    for (int t = 0; t < law->n_terms; t++)
        s += law->coef[t] * y[law->species[t]];
    return s;
}

double ilnet_conservation_scale(const ilnet_conservation_law *law, const double *y)
{
    double s = 0;
    for (int t = 0; t < law->n_terms; t++)
        s += fabs(law->coef[t] * y[law->species[t]]);
    return s;
}

/* Gram matrix G = N N^T over the non-fixed species (index map sp[]), accumulated column
 * by column of the sparse stoichiometry. */
static void gram(gsl_matrix *G, const ilnet_stoich *st, const int *pos)
{
    gsl_matrix_set_zero(G);
    for (int r = 0; r < st->n_cols; r++)
        for (int a = st->col_ptr[r]; a < st->col_ptr[r + 1]; a++) {
            int i = pos[st->row[a]];
            for (int b = st->col_ptr[r]; b < st->col_ptr[r + 1]; b++) {
                int j = pos[st->row[b]];
                double *g = gsl_matrix_ptr(G, (size_t)i, (size_t)j);
                *g += st->val[a] * st->val[b];
            }
        }
}

/* Reduced row-echelon form of the k x n basis B in place (partial pivoting). */
static void rref(gsl_matrix *B)
{
    size_t k = B->size1, n = B->size2, row = 0;
    for (size_t col = 0; col < n && row < k; col++) {
        size_t piv = row;
        for (size_t i = row + 1; i < k; i++)
            if (fabs(gsl_matrix_get(B, i, col)) > fabs(gsl_matrix_get(B, piv, col))) piv = i;
        double p = gsl_matrix_get(B, piv, col);
        if (fabs(p) < 1e-9) continue;
        gsl_matrix_swap_rows(B, piv, row);
        gsl_vector_view r = gsl_matrix_row(B, row);
        gsl_vector_scale(&r.vector, 1.0 / p);
        for (size_t i = 0; i < k; i++) {
            if (i == row) continue;
            double f = gsl_matrix_get(B, i, col);
            if (f == 0) continue;
            gsl_vector_view ri = gsl_matrix_row(B, i);
            gsl_blas_daxpy(-f, &r.vector, &ri.vector);
        }
        row++;
    }
}

int ilnet_conservation_analyze(ilnet_conservation *out, const ilnet_network *net)
{
    memset(out, 0, sizeof *out);
    const ilnet_stoich *st = ilnet_network_stoichiometry(net);
    if (!st) return ilnet_error_set(ILNET_EINPUT, "network is not compiled");
    size_t ns = ilnet_network_species_count(net);
    int *pos = malloc((ns + 1) * sizeof(int)), *sp = malloc((ns + 1) * sizeof(int));
    if (!pos || !sp) {
        free(pos);
        free(sp);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory in conservation analysis");
    }
    size_t n = 0;
    for (size_t i = 0; i < ns; i++) {
        pos[i] = -1;
        if (!ilnet_network_species(net, i)->fixed) {
            pos[i] = (int)n;
            sp[n++] = (int)i;
        }
    }
    int rc = 0;
    gsl_matrix *G = NULL, *V = NULL, *B = NULL;
    gsl_vector *eval = NULL;
    gsl_eigen_symmv_workspace *ws = NULL;
    if (n == 0) goto done;
    /* GSL's default handler aborts; we map return codes ourselves. */
    gsl_set_error_handler_off();
    G = gsl_matrix_alloc(n, n);
    V = gsl_matrix_alloc(n, n);
    eval = gsl_vector_alloc(n);
    ws = gsl_eigen_symmv_alloc(n);
    if (!G || !V || !eval || !ws) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory in conservation analysis");
        goto done;
    }
    gram(G, st, pos);
    if (gsl_eigen_symmv(G, eval, V, ws) != GSL_SUCCESS) {
        rc = ilnet_error_set(ILNET_EINTERNAL, "eigen-decomposition failed");
        goto done;
    }
    double emax = 0;
    for (size_t i = 0; i < n; i++)
        emax = fmax(emax, fabs(gsl_vector_get(eval, i)));
    /* Eigenvalues of N N^T are squared singular values of the integer matrix N. */
    double tol = fmax(emax, 1.0) * 1e-10;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += fabs(gsl_vector_get(eval, i)) <= tol;
    if (k == 0) goto done;
    B = gsl_matrix_alloc(k, n);
    out->laws = calloc(k, sizeof *out->laws);
    if (!B || !out->laws) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory in conservation analysis");
        goto done;
    }
    for (size_t i = 0, row = 0; i < n; i++)
        if (fabs(gsl_vector_get(eval, i)) <= tol) {
            gsl_vector_view c = gsl_matrix_column(V, i);
            gsl_matrix_set_row(B, row++, &c.vector);
        }
    rref(B);
    for (size_t l = 0; l < k; l++) {
        ilnet_conservation_law *law = &out->laws[l];
        int nt = 0;
        for (size_t j = 0; j < n; j++)
            nt += fabs(gsl_matrix_get(B, l, j)) > 1e-9;
        law->species = malloc(((size_t)nt + 1) * sizeof(int));
        law->coef = malloc(((size_t)nt + 1) * sizeof(double));
        out->n_laws = l + 1;
        if (!law->species || !law->coef) {
            rc = ilnet_error_set(ILNET_ENOMEM, "out of memory in conservation analysis");
            goto done;
        }
        for (size_t j = 0; j < n; j++) {
            double c = gsl_matrix_get(B, l, j);
            if (fabs(c) <= 1e-9) continue;
            if (fabs(c - nearbyint(c)) < 1e-8) c = nearbyint(c);
            law->species[law->n_terms] = sp[j];
            law->coef[law->n_terms++] = c;
        }
        double total = 0;
        for (int t = 0; t < law->n_terms; t++)
            total += law->coef[t] * ilnet_network_species(net, law->species[t])->initial;
        law->total = total;
    }
done:
    if (ws) gsl_eigen_symmv_free(ws);
    if (G) gsl_matrix_free(G);
    if (V) gsl_matrix_free(V);
    if (B) gsl_matrix_free(B);
    if (eval) gsl_vector_free(eval);
    free(pos);
    free(sp);
    if (rc) ilnet_conservation_free(out);
    return rc;
}
