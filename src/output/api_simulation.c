/* The public simulation writers: HDF5 time course and CSV. */
#include "../model/api_model.h"
#include "../solver/api_simulation.h"
#include "h5out.h"
#include "textout.h"

#include <stdio.h>

int ilnet_simulation_write_hdf5(const ilnet_simulation *s, const ilnet_model *m, const char *path)
{
    const char *text = ilnet_network_source_text(m->net);
    ilnet_timecourse_meta meta = {m->path,  text ? text : "", "",   s->linear_solver,
                                  &s->opts, s->wall_seconds,  NULL, 0};
    return ilnet_h5_write_timecourse(path, m->net, &s->res, &meta);
}

int ilnet_simulation_write_csv(const ilnet_simulation *s, const ilnet_model *m, const char *path)
{
    return ilnet_csv_write(path, m->net, &s->res);
}
