#include "tsv.h"

#include "error.h"
#include "file.h"

#include <stdlib.h>
#include <string.h>

void ilnet_tsv_free(ilnet_tsv *t)
{
    free(t->path);
    free(t->text);
    free(t->header);
    free(t->cells);
    free(t->line);
    memset(t, 0, sizeof *t);
}

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* splits line in place at sep into out (up to max cells); returns the count */
static size_t split(char *line, char sep, char **out, size_t max)
{
    size_t n = 0;
    for (char *p = line;; n++) {
        char *tab = strchr(p, sep);
        if (tab) *tab = '\0';
        if (n < max) out[n] = trim(p);
        if (!tab) return n + 1;
        p = tab + 1;
    }
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r') return 0;
    return 1;
}

int ilnet_tsv_read(ilnet_tsv *t, const char *path)
{
    return ilnet_tsv_read_sep(t, path, '\t');
}

int ilnet_tsv_read_sep(ilnet_tsv *t, const char *path, char sep)
{
    memset(t, 0, sizeof *t);
    int rc = ilnet_file_read(&t->text, NULL, path);
    if (rc) return rc;
    /* a UTF-8 byte-order mark (spreadsheets write one) is not part of the first name */
    if (!strncmp(t->text, "\xEF\xBB\xBF", 3))
        memmove(t->text, t->text + 3, strlen(t->text + 3) + 1);
    t->path = strdup(path);
    size_t lines = 1;
    for (const char *p = t->text; *p; p++)
        lines += *p == '\n';
    char **ln = malloc((lines + 1) * sizeof *ln);
    int *lno = malloc((lines + 1) * sizeof *lno);
    size_t nl = 0;
    if (!t->path || !ln || !lno) rc = ilnet_error_oom();
    int lineno = 0;
    for (char *p = t->text, *e; !rc && p; p = e ? e + 1 : NULL) {
        lineno++;
        e = strchr(p, '\n');
        if (e) *e = '\0';
        if (!blank(p)) {
            lno[nl] = lineno;
            ln[nl++] = p;
        }
    }
    if (!rc && nl == 0) rc = ilnet_error_set(ILNET_EINPUT, "%s: no header row", path);
    if (!rc) {
        size_t nc = 1;
        for (const char *q = ln[0]; *q; q++)
            nc += *q == sep;
        t->n_cols = nc;
        t->header = malloc(nc * sizeof *t->header);
        t->cells = calloc((nl - 1) * nc + 1, sizeof *t->cells);
        t->line = malloc(nl * sizeof *t->line);
        if (!t->header || !t->cells || !t->line) rc = ilnet_error_oom();
        if (!rc) split(ln[0], sep, t->header, nc);
        for (size_t a = 0; !rc && a < nc; a++)
            for (size_t b = 0; b < a; b++)
                if (!strcmp(t->header[a], t->header[b]))
                    rc = ilnet_error_set(ILNET_EINPUT, "%s:%d: column '%s' appears twice", path,
                                         lno[0], t->header[a]);
        for (size_t r = 1; !rc && r < nl; r++) {
            char **row = t->cells + (r - 1) * nc;
            size_t n = split(ln[r], sep, row, nc);
            if (n > nc)
                rc = ilnet_error_set(ILNET_EINPUT, "%s:%d: %zu cells, the header has %zu", path,
                                     lno[r], n, nc);
            for (size_t c = n; c < nc; c++)
                row[c] = "";
            t->line[r - 1] = lno[r];
        }
        t->n_rows = nl - 1;
    }
    free(ln);
    free(lno);
    if (rc) ilnet_tsv_free(t);
    return rc;
}

int ilnet_tsv_col(const ilnet_tsv *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (!strcmp(t->header[c], name)) return (int)c;
    return -1;
}

const char *ilnet_tsv_cell(const ilnet_tsv *t, size_t row, int col)
{
    return col < 0 ? "" : t->cells[row * t->n_cols + (size_t)col];
}
