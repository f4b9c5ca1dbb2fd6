#!/usr/bin/env bash
# Black-box tests of `ilnet run STUDY.yaml` on bad study configs (docs/study.md).
#
# usage: test_study_config_errors.sh ILNET SRCDIR SCRATCH
#
# Every case is a small config with exactly one mistake, written to its own directory
# SCRATCH/errors/<case>/study.yaml; the model is the built-in SRCDIR/models/
# il2_il7.bngl by a path relative to the config. The line at fault carries the comment
# '#<' (cases without it have no line of their own, e.g. a missing key). For each case,
# with and without --check:
#   - exit status 1;
#   - stderr is exactly one line, containing CONFIG:LINE:COL: (CONFIG as given on the
#     command line, LINE the marked line, COL a number);
#   - stderr names the offending key path or name (one of the case's tokens);
#   - no output file: the case directory (also the working directory) holds only
#     study.yaml afterwards, and no *.tmp* file exists anywhere under SCRATCH.
# A good config (the base of every case) must pass --check and run.
# Prints one line per case and "N passed, M failed"; exits 1 on any failure.

set -u

ILNET=${1:?usage: test_study_config_errors.sh ILNET SRCDIR SCRATCH}
SRCDIR=${2:?usage: test_study_config_errors.sh ILNET SRCDIR SCRATCH}
SCRATCH=${3:?usage: test_study_config_errors.sh ILNET SRCDIR SCRATCH}
case $ILNET in /*) ;; *) ILNET=$PWD/$ILNET ;; esac
[ -x "$ILNET" ] || { echo "test_study_config_errors.sh: $ILNET is not executable" >&2; exit 1; }
mkdir -p "$SCRATCH" || exit 1
SCRATCH=$(cd "$SCRATCH" && pwd)
SRCDIR=$(cd "$SRCDIR" && pwd)
MODEL_ABS=$SRCDIR/models/il2_il7.bngl
[ -f "$MODEL_ABS" ] || { echo "test_study_config_errors.sh: no $MODEL_ABS" >&2; exit 1; }
ERRDIR=$SCRATCH/errors
rm -rf "$ERRDIR"
mkdir -p "$ERRDIR/_probe"
# every case directory is ERRDIR/<case>: the same relative path to the model works for all
MODEL=$(realpath --relative-to="$ERRDIR/_probe" "$MODEL_ABS")
rmdir "$ERRDIR/_probe"

passed=0
failed=0
TIMEOUT=120

# write_case NAME: the YAML on stdin, @MODEL@ replaced; sets $dir and $yaml
write_case() {
    dir=$ERRDIR/$1
    mkdir -p "$dir"
    yaml=$dir/study.yaml
    sed "s|@MODEL@|$MODEL|g" >"$yaml"
}

# one_run ARGS...: runs ilnet in $dir; sets $status, $out, $err
one_run() {
    (cd "$dir" && timeout "$TIMEOUT" "$ILNET" "$@" >"$ERRDIR/stdout" 2>"$ERRDIR/stderr" </dev/null)
    status=$?
    err=$(cat "$ERRDIR/stderr")
}

# bad NAME TOKEN... : the config on stdin has one mistake; stderr must name one of TOKENs
# (no TOKEN: only the position is checked)
bad() {
    local name=$1
    shift
    write_case "$name"
    local line
    line=$(grep -n '#<' "$yaml" | cut -d: -f1 | head -1)
    local problems=()
    local mode
    for mode in run check; do
        rm -f "$ERRDIR/stderr"
        if [ $mode = run ]; then one_run run "$yaml"; else one_run run "$yaml" --check; fi
        local tag="[$mode]"
        if [ $mode = run ]; then err_run=$err; else err_check=$err; fi
        if [ "$status" -ne 1 ]; then problems+=("$tag exit status $status, want 1"); fi
        local nl
        nl=$(tr -cd '\n' <"$ERRDIR/stderr" | wc -c)
        if [ "$nl" -ne 1 ] || [ -n "$(tail -c1 "$ERRDIR/stderr" | tr -d '\n')" ]; then
            problems+=("$tag stderr is not exactly one line ($nl newlines)")
        fi
        if [ -n "$line" ]; then
            if ! printf '%s\n' "$err" | grep -qF -- "$yaml:$line:"; then
                problems+=("$tag stderr lacks '$yaml:$line:'")
            elif ! printf '%s\n' "$err" | grep -F -- "$yaml:$line:" | grep -qE -- ":$line:[0-9]+: "; then
                problems+=("$tag stderr lacks a column after '$yaml:$line:'")
            fi
        else
            if ! printf '%s\n' "$err" | grep -F -- "$yaml:" | grep -qE -- "study\.yaml:[0-9]+:[0-9]+: "; then
                problems+=("$tag stderr lacks '$yaml:LINE:COL: '")
            fi
        fi
        if [ $# -gt 0 ]; then
            local tok hit=0
            for tok in "$@"; do
                if printf '%s\n' "$err" | grep -qF -- "$tok"; then hit=1; fi
            done
            [ $hit = 1 ] || problems+=("$tag stderr names none of: $*")
        fi
        local left
        left=$(cd "$dir" && ls -A | grep -vx 'study.yaml')
        if [ -n "$left" ]; then
            problems+=("$tag files left: $(echo $left)")
            (cd "$dir" && ls -A | grep -vx 'study.yaml' | xargs -r rm -rf --)
        fi
    done
    local tmps
    tmps=$(find "$SCRATCH" -name '*.tmp*' 2>/dev/null)
    [ -z "$tmps" ] || problems+=("temporary files left: $tmps")
    if [ ${#problems[@]} -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok    $name"
    else
        failed=$((failed + 1))
        echo "FAIL  $name"
        local p
        for p in "${problems[@]}"; do echo "        $p"; done
        echo "        stderr [run]:   $(printf '%s' "$err_run" | head -c 400 | tr '\n' '|')"
        echo "        stderr [check]: $(printf '%s' "$err_check" | head -c 400 | tr '\n' '|')"
        echo "        config: $yaml (line ${line:-none})"
    fi
}

# ------------------------------------------------------------------ the good base config

write_case good
cat >"$yaml" <<EOF
model: $MODEL
preset: human_treg
parameters: {L2_nM: 1}
simulation:
  t_end: 60
  n_steps: 60
experiments:
  - name: a
    type: timecourse
EOF
one_run run "$yaml" --check
if [ "$status" -ne 0 ] || [ -n "$(cd "$dir" && ls -A | grep -vx study.yaml)" ]; then
    echo "FAIL  good config --check: exit $status, files: $(cd "$dir" && ls -A | tr '\n' ' '), stderr: $err"
    failed=$((failed + 1))
else
    one_run run "$yaml" --quiet
    if [ "$status" -ne 0 ] || [ ! -f "$dir/study.h5" ]; then
        echo "FAIL  good config run: exit $status, files: $(cd "$dir" && ls -A | tr '\n' ' '), stderr: $err"
        failed=$((failed + 1))
    else
        echo "ok    good config (--check, then run -> study.h5 beside the config)"
        passed=$((passed + 1))
    fi
fi
rm -rf "$dir"

# ------------------------------------------------------------------ syntax and keys

bad yaml_syntax <<'EOF'
model: @MODEL@
simulation:
  t_end: 60: 20 #<
  n_steps: 60
experiments:
  - {name: a, type: timecourse}
EOF

bad yaml_unclosed_flow <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
output:
  observables: [pSTAT5_total, active_IL2
  compression: 4 #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_top_level_key colour <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
colour: blue #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_key_simulation simulation.t_stop <<'EOF'
model: @MODEL@
simulation:
  t_end: 60
  n_steps: 60
  t_stop: 10 #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_key_output output.format <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
output:
  observables: [pSTAT5_total]
  format: csv #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_key_experiment "experiments[0].kind" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: a
    type: timecourse
    kind: sweep #<
EOF

bad unknown_key_sweep_parameter "experiments[0].parameters[0].scale" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: R_A, values: [10, 100], scale: log} #<
EOF

bad unknown_key_readout "experiments[0].readout.mean" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: L2_nM}
    doses: [0.01, 0.1, 1]
    readout:
      observable: pSTAT5_total
      times: [30]
      mean: true #<
EOF

bad unknown_key_protocol_step "sett" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: w
    type: timecourse
    protocol:
      steps:
        - {at: 0, set: {L2_nM: 1}}
        - {at: 30, sett: {L2_nM: 0}} #<
EOF

bad unknown_key_preequilibrate "sets" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: w
    type: timecourse
    protocol:
      preequilibrate: {duration: 1000, sets: {L2_nM: 0}} #<
      steps:
        - {at: 0, set: {L2_nM: 1}}
EOF

bad unknown_key_series "colour" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: L2_nM}
    doses: [0.01, 0.1, 1]
    readout: {observable: pSTAT5_total, times: [30]}
    series:
      - {name: Treg, preset: human_treg}
      - {name: Th, preset: human_thelper, colour: red} #<
EOF

# ------------------------------------------------------------------ types and values

bad string_for_number simulation.t_end <<'EOF'
model: @MODEL@
simulation:
  t_end: ten #<
  n_steps: 60
experiments:
  - {name: a, type: timecourse}
EOF

bad list_for_mapping parameters <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
parameters: [L2_nM, 1] #<
experiments:
  - {name: a, type: timecourse}
EOF

bad mapping_for_list experiments <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments: {name: a, type: timecourse} #<
EOF

bad negative_n_steps simulation.n_steps <<'EOF'
model: @MODEL@
simulation:
  t_end: 60
  n_steps: -5 #<
experiments:
  - {name: a, type: timecourse}
EOF

bad fractional_n_steps simulation.n_steps <<'EOF'
model: @MODEL@
simulation:
  t_end: 60
  n_steps: 2.5 #<
experiments:
  - {name: a, type: timecourse}
EOF

bad t_end_before_t_start t_end t_start <<'EOF'
model: @MODEL@
simulation: {t_start: 10, t_end: 5, n_steps: 10} #<
experiments:
  - {name: a, type: timecourse}
EOF

bad rtol_zero simulation.rtol <<'EOF'
model: @MODEL@
simulation:
  t_end: 60
  n_steps: 60
  rtol: 0 #<
experiments:
  - {name: a, type: timecourse}
EOF

bad atol_negative simulation.atol <<'EOF'
model: @MODEL@
simulation:
  t_end: 60
  n_steps: 60
  atol: -1e-8 #<
experiments:
  - {name: a, type: timecourse}
EOF

bad max_steps_string simulation.max_steps <<'EOF'
model: @MODEL@
simulation:
  t_end: 60
  n_steps: 60
  max_steps: lots #<
experiments:
  - {name: a, type: timecourse}
EOF

bad compression_11 output.compression <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
output:
  compression: 11 #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_solver simulation.solver <<'EOF'
model: @MODEL@
simulation:
  t_end: 60
  n_steps: 60
  solver: lu #<
experiments:
  - {name: a, type: timecourse}
EOF

bad times_not_increasing simulation.times <<'EOF'
model: @MODEL@
simulation:
  atol: 1e-8
  times: [0, 5, 3, 60] #<
experiments:
  - {name: a, type: timecourse}
EOF

bad times_first_not_t_start simulation.times <<'EOF'
model: @MODEL@
simulation:
  t_start: 0
  times: [1, 5, 30, 60] #<
experiments:
  - {name: a, type: timecourse}
EOF

bad seed_string "experiments[0].seed" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: p
    type: sweep
    design: lhs
    n: 10
    seed: seven #<
    parameters:
      - {name: R_A, min: 10, max: 1000, log: true}
EOF

# YAML: a quoted scalar is a string, also when it looks like a number (presets files follow
# the same rule: tests/test_cli_errors.sh)
bad quoted_number "parameters.L2_nM: expected a number, found a quoted string" <<'EOF'
model: @MODEL@
preset: human_treg
parameters: {L2_nM: "3.5"} #<
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: a, type: timecourse}
EOF

# ------------------------------------------------------------------ names against the model

bad unknown_parameter_global kfoo <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
parameters: {L2_nM: 1, kfoo: 2} #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_parameter_experiment kbar <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: a
    type: timecourse
    parameters: {kbar: 2} #<
EOF

bad unknown_parameter_sweep "experiments[0].parameters[1].name" kfoo <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: R_A, values: [10, 100]}
      - {name: kfoo, values: [1, 2]} #<
EOF

bad unknown_dose_parameter kfoo <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: kfoo} #<
    doses: [0.01, 0.1, 1]
    readout: {observable: pSTAT5_total, times: [30]}
EOF

bad unknown_species_initial "Foo(x)" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
initial: {"Foo(x)": 5} #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_dose_species "Bar(y)" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {species: "Bar(y)"} #<
    doses: [1, 10, 100]
    readout: {observable: pSTAT5_total, times: [30]}
EOF

bad unknown_species_protocol_add "Baz(z)" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: w
    type: timecourse
    protocol:
      steps:
        - {at: 0, set: {L2_nM: 1}}
        - {at: 30, add: {"Baz(z)": 100}} #<
EOF

bad unknown_name_protocol_set "k_nonexistent" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: w
    type: timecourse
    protocol:
      steps:
        - {at: 10, set: {k_nonexistent: 1}} #<
EOF

bad unknown_observable_output pSTAT9 <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
output:
  observables: [pSTAT5_total, pSTAT9] #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_species_output "Qux(q)" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
output:
  species: ["Qux(q)"] #<
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_observable_readout pSTAT9 <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: L2_nM}
    doses: [0.01, 0.1, 1]
    readout:
      observable: pSTAT9 #<
      times: [30]
EOF

bad unknown_preset martian_cell <<'EOF'
model: @MODEL@
preset: martian_cell #<
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_preset_in_list venusian_cell <<'EOF'
model: @MODEL@
preset: [human_treg, venusian_cell] #<
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: a, type: timecourse}
EOF

bad unknown_series_preset martian_cell <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: L2_nM}
    doses: [0.01, 0.1, 1]
    readout: {observable: pSTAT5_total, times: [30]}
    series:
      - {name: Treg, preset: human_treg}
      - {name: Mars, preset: martian_cell} #<
EOF

bad missing_model_file no_such_model.bngl <<'EOF'
model: no_such_model.bngl #<
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: a, type: timecourse}
EOF

# ------------------------------------------------------------------ experiments

bad duplicate_experiment_name twin <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: twin, type: timecourse}
  - {name: twin, type: timecourse} #<
EOF

bad missing_experiments experiments <<'EOF'
model: @MODEL@
preset: human_treg
simulation: {t_end: 60, n_steps: 60}
EOF

bad missing_model model <<'EOF'
preset: human_treg
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: a, type: timecourse}
EOF

bad missing_experiment_name "experiments[0]" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {type: timecourse} #<
EOF

bad unknown_experiment_type scan <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: a
    type: scan #<
EOF

bad unknown_design random <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: s
    type: sweep
    design: random #<
    parameters:
      - {name: R_A, values: [10, 100]}
EOF

bad zip_unequal_lengths "experiments[0]" zip <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: z, type: sweep, design: zip, parameters: [{name: R_A, values: [10, 100, 1000]}, {name: R_B, values: [100, 200]}]} #<
EOF

bad lhs_without_n "experiments[0]" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: p, type: sweep, design: lhs, seed: 3, parameters: [{name: R_A, min: 10, max: 1000}]} #<
EOF

bad sweep_without_parameters "experiments[0]" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: s, type: sweep, design: grid} #<
EOF

bad sweep_parameter_without_values "experiments[0].parameters[0]" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: R_A} #<
EOF

bad logspace_min_zero "experiments[0].parameters[0].logspace" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: R_A, logspace: {min: 0, max: 1000, n: 5}} #<
EOF

bad dose_logspace_negative_min "experiments[0].doses" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: L2_nM}
    doses: {logspace: {min: -1, max: 100, n: 5}} #<
    readout: {observable: pSTAT5_total, times: [30]}
EOF

bad lhs_log_min_zero "experiments[0].parameters[0]" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: p
    type: sweep
    design: lhs
    n: 10
    parameters:
      - {name: R_A, min: 0, max: 1000, log: true} #<
EOF

bad linspace_n_zero "experiments[0].parameters[0].linspace" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: R_A, linspace: {min: 10, max: 1000, n: 0}} #<
EOF

bad empty_values_list "experiments[0].parameters[0].values" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: s
    type: sweep
    parameters:
      - {name: R_A, values: []} #<
EOF

bad readout_time_outside "experiments[0].readout.times" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: d
    type: dose_response
    dose: {parameter: L2_nM}
    doses: [0.01, 0.1, 1]
    readout:
      observable: pSTAT5_total
      times: [30, 500] #<
EOF

bad protocol_step_after_t_end "experiments[0].protocol.steps[1].at" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: w
    type: timecourse
    protocol:
      steps:
        - {at: 0, set: {L2_nM: 1}}
        - {at: 500, set: {L2_nM: 0}} #<
EOF

bad protocol_step_before_t_start "experiments[0].protocol.steps[0].at" <<'EOF'
model: @MODEL@
simulation: {t_start: 0, t_end: 60, n_steps: 60}
experiments:
  - name: w
    type: timecourse
    protocol:
      steps:
        - {at: -5, set: {L2_nM: 1}} #<
EOF

bad protocol_steps_out_of_order "experiments[0].protocol.steps[1].at" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - name: w
    type: timecourse
    protocol:
      steps:
        - {at: 20, set: {L2_nM: 1}}
        - {at: 10, set: {L2_nM: 0}} #<
EOF

bad dose_response_without_dose "experiments[0]" <<'EOF'
model: @MODEL@
simulation: {t_end: 60, n_steps: 60}
experiments:
  - {name: d, type: dose_response, doses: [0.1, 1], readout: {observable: pSTAT5_total, times: [30]}} #<
EOF

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
