/* Text time-course outputs: CSV and BioNetGen's .gdat (observables) / .cdat (species).
 * A result that stopped early gets a last line "# partial: ..." in every file. */
#ifndef ILNET_TEXTOUT_H
#define ILNET_TEXTOUT_H

#include "../model/network.h"
#include "../solver/solver.h"

/* CSV with header "time,<observables>,<species>"; names quoted where CSV needs it. */
int ilnet_csv_write(const char *path, const ilnet_network *net, const ilnet_result *res);
/* CSV "time,<names>" with one column per readout expression over the network's variables
 * (model/readout.h: also flux(), species() and the like), evaluated at every output row. */
int ilnet_csv_write_columns(const char *path, const ilnet_network *net, const ilnet_result *res,
                            const char *const *names, const char *const *exprs, int n);
/* PREFIX.gdat and PREFIX.cdat in BioNetGen's column layout. */
int ilnet_gdat_write(const char *prefix, const ilnet_network *net, const ilnet_result *res);
/* The same with the functions' values after the observables in the .gdat (BioNetGen's
 * print_functions=>1). */
int ilnet_gdat_write_functions(const char *prefix, const ilnet_network *net,
                               const ilnet_result *res);
/* The functions' values at every row of res: [n_done][function_count] (caller frees), or
 * NULL when out of memory. */
double *ilnet_result_functions(const ilnet_network *net, const ilnet_result *res);

#endif
