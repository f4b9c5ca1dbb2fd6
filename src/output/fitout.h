/* A fit's best parameters as text files other tools read: a PEtab parameter table (the
 * problem's, with nominalValue set to the fit) and an ilnet presets file of the model
 * parameters among them (`ilnet simulate MODEL --presets F --preset fit`). */
#ifndef ILNET_FITOUT_H
#define ILNET_FITOUT_H

#include "../experiment/fit.h"

/* x: the linear value of every row of p's parameter table */
int ilnet_fit_write_parameter_table(const char *path, const ilnet_petab *p, const double *x);
int ilnet_fit_write_presets(const char *path, const ilnet_petab *p, const double *x,
                            const ilnet_fit *f, const char *problem);

#endif
