/* One simulation's files, as a BNGL simulate action writes them. */
#include "simulation.h"

#include "h5out.h"
#include "textout.h"

int ilnet_output_write_simulation(void *payload, const char *h5_path, const char *gdat_prefix,
                                  const ilnet_network *net, const ilnet_result *res,
                                  const ilnet_timecourse_meta *meta)
{
    (void)payload;
    int rc = ilnet_h5_write_timecourse(h5_path, net, res, meta);
    if (!rc && gdat_prefix)
        rc = meta && meta->print_functions ? ilnet_gdat_write_functions(gdat_prefix, net, res)
                                           : ilnet_gdat_write(gdat_prefix, net, res);
    return rc;
}
