/* The fit experiments of a study (type: fit, docs/study.md "Fits"), run after its points:
 * each with ilnet fit's machinery into its own file beside the study file,
 * STUDY.NAME.h5 (with STUDY.NAME.parameters.tsv and .presets.yaml), which the study file
 * links to as the external group /NAME. */
#ifndef ILNET_STUDY_FITS_H
#define ILNET_STUDY_FITS_H

#include <ilnet/study.h>

/* Nothing when the config has no fits. With opts->check_only, each problem is read and
 * checked (bounds, estimated parameters, profile ids) and nothing runs. Errors name the
 * config's line and the fit ("CONFIG:LINE:COL: experiments[i] (fit NAME): ..."). */
int ilnet_study_fits_run(const char *config_path, const ilnet_study_options *opts);

#endif
