/* The study config schema (docs/study.md): maps the nodes of a loaded YAML document onto
 * ilnet_config: model, presets, overrides, simulation, output and experiments (sweeps,
 * dose responses, protocols). Keys, types and values are checked here; names against the
 * compiled model later (ilnet_config_check_names). */
#ifndef ILNET_CONFIG_SCHEMA_H
#define ILNET_CONFIG_SCHEMA_H

#include "../common/yaml.h"
#include "config.h"

/* Fills c, whose path, text, dir and defaults are set, from the document. Errors are
 * "FILE:LINE:COL: key.path: what is wrong"; c may then be partly filled (ilnet_config_free
 * frees it). */
int ilnet_config_parse(ilnet_config *c, const ilnet_yaml *y);

#endif
