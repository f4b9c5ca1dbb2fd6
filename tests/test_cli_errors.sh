#!/usr/bin/env bash
# Black-box tests of the ilnet CLI's error handling.
#
# usage: test_cli_errors.sh PATH/TO/ilnet
#
# Every bad input must end with exit status 1 and exactly one line on stderr that names
# FILE:LINE and the offending token; a solver failure ends with status 2, one line giving
# the time reached, and a partial HDF5 file (root attribute status = "partial"). Failed
# runs must leave no output file behind, and no run may leave a *.tmp.* file.
# Prints one line per case and finally "N passed, M failed"; exits 1 on any failure.

set -u

ILNET=${1:?usage: test_cli_errors.sh PATH/TO/ilnet}
case $ILNET in /*) ;; *) ILNET=$PWD/$ILNET ;; esac
if [ ! -x "$ILNET" ]; then
    echo "test_cli_errors.sh: $ILNET is not executable" >&2
    exit 1
fi
PYTHON=/usr/bin/python3

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ilnet_cli_errors.XXXXXX") || exit 1
trap 'rm -rf "$SCRATCH"' EXIT
MODELS=$SCRATCH/models   # bad and good model files
OUT=$SCRATCH/out         # working directory of every run (default outputs land here)
mkdir -p "$MODELS" "$OUT" "$OUT/a_directory.h5"

passed=0
failed=0
case_name=
case_errors=()
status=0

# ------------------------------------------------------------------ helpers

begin_case() {
    case_name=$1
    case_errors=()
    snapshot=$(cd "$OUT" && ls -A | sort)
}

problem() { case_errors+=("$*"); }

# run ARGS...: runs ilnet in $OUT, capturing stdout, stderr and the exit status.
run() {
    (cd "$OUT" && "$ILNET" "$@" >"$SCRATCH/stdout" 2>"$SCRATCH/stderr" </dev/null)
    status=$?
    last_cmd="ilnet $*"
}

stderr_text() { cat "$SCRATCH/stderr"; }

expect_status() {
    [ "$status" -eq "$1" ] || problem "exit status $status, want $1 ($last_cmd)"
}

# Exactly one non-empty, newline-terminated line on stderr, without CR.
expect_one_line() {
    local f=$SCRATCH/stderr
    local nl
    nl=$(tr -cd '\n' <"$f" | wc -c)
    if [ "$nl" -ne 1 ] || [ -n "$(tail -c1 "$f" | tr -d '\n')" ] || [ ! -s "$f" ] ||
        [ "$(head -c1 "$f" | od -An -c | tr -d ' ')" = '\n' ]; then
        problem "stderr is not exactly one line ($nl newlines): $(head -c 400 "$f" | tr '\n' '|')"
    fi
    if tr -d '\n' <"$f" | grep -q $'\r'; then problem "stderr contains a carriage return"; fi
}

expect_stderr_has() {
    grep -qF -- "$1" "$SCRATCH/stderr" || problem "stderr lacks '$1': $(head -c 300 "$SCRATCH/stderr")"
}

expect_stdout_empty() {
    [ ! -s "$SCRATCH/stdout" ] || problem "unexpected stdout: $(head -c 200 "$SCRATCH/stdout" | tr '\n' '|')"
}

expect_stderr_empty() {
    [ ! -s "$SCRATCH/stderr" ] || problem "unexpected stderr: $(head -c 300 "$SCRATCH/stderr" | tr '\n' '|')"
}

# No file appeared in $OUT since begin_case.
expect_no_new_files() {
    local now
    now=$(cd "$OUT" && ls -A | sort)
    if [ "$now" != "$snapshot" ]; then
        problem "files created: $(comm -13 <(printf '%s\n' "$snapshot") <(printf '%s\n' "$now") | tr '\n' ' ')"
    fi
}

end_case() {
    local tmps
    tmps=$(find "$OUT" "$MODELS" -name '*.tmp.*' 2>/dev/null)
    if [ -n "$tmps" ]; then
        problem "temporary files left behind: $(echo "$tmps" | tr '\n' ' ')"
        find "$OUT" "$MODELS" -name '*.tmp.*' -exec rm -rf {} + 2>/dev/null
    fi
    if [ ${#case_errors[@]} -eq 0 ]; then
        echo "ok   $case_name"
        passed=$((passed + 1))
    else
        echo "FAIL $case_name"
        local e
        for e in "${case_errors[@]}"; do echo "       $e"; done
        failed=$((failed + 1))
    fi
}

# ------------------------------------------------------------------ models

# A valid three-species model; the line numbers below are referred to by the cases.
BASE='# ilnet CLI error tests
begin parameters
    1 k1 1.0
    2 k2 0.5
    3 A0 100
end parameters
begin species
    1 A() A0
    2 B() 50
    3 C() 0
end species
begin reactions
    1 1,2 3 k1
    2 3 1,2 k2
end reactions
begin groups
    1 Atot 1,3
    2 Btot 2,3
end groups'
#  1 comment, 2 begin parameters, 3-5 k1 k2 A0, 6 end, 7 begin species, 8-10 A B C,
# 11 end species, 12 begin reactions, 13-14 R1 R2, 15 end reactions, 16 begin groups,
# 17-18 Atot Btot, 19 end groups

printf '%s\n' "$BASE" >"$MODELS/good.net"
GOOD=$MODELS/good.net

# mk NAME SED_SCRIPT: MODELS/NAME.net = the base model edited by sed.
mk() { printf '%s\n' "$BASE" | sed -e "$2" >"$MODELS/$1.net"; }

# bad_model NAME LINE TOKEN [EXTRA_TEXT]: simulate and info on MODELS/NAME.net must exit 1
# with one line naming MODELS/NAME.net:LINE and TOKEN (and EXTRA_TEXT), creating nothing.
bad_model() {
    local name=$1 line=$2 token=$3 extra=${4:-}
    local m=$MODELS/$name.net
    begin_case "bad model: $name (line $line, '$token')"
    run simulate "$m" --t-end 10 --n-steps 5 -o "$OUT/$name.h5" --csv "$OUT/$name.csv"
    expect_status 1
    expect_one_line
    expect_stderr_has "$m:$line:"
    expect_stderr_has "$token"
    [ -z "$extra" ] || expect_stderr_has "$extra"
    expect_stdout_empty
    run simulate "$m" --t-end 10 --n-steps 5 -q # default output would be ./NAME.h5
    expect_status 1
    expect_one_line
    expect_stderr_has "$m:$line:"
    run info "$m"
    expect_status 1
    expect_one_line
    expect_stderr_has "$m:$line:"
    expect_stderr_has "$token"
    expect_no_new_files
    end_case
}

# truncated: the file ends inside the reactions block (no 'end reactions')
printf '%s\n' "$BASE" | head -n 14 >"$MODELS/truncated.net"
bad_model truncated 12 reactions "never closed"
# truncated in the middle of a line (and of the rate's name)
printf '%s\n' "$BASE" | head -n 13 | head -c -2 >"$MODELS/truncated_midline.net"
bad_model truncated_midline 12 reactions "never closed"

mk unknown_species_index '13s/.*/    1 1,99 2 k1/'
bad_model unknown_species_index 13 99
mk zero_species_index '14s/.*/    2 3 1,0 k2/'
bad_model zero_species_index 14 "'0'"
mk group_unknown_index '18s/.*/    2 Btot 2,4/'
bad_model group_unknown_index 18 "'4'"
mk undefined_rate_parameter '14s/k2/kx/'
bad_model undefined_rate_parameter 14 kx
mk undefined_parameter_in_parameter '4s/.*/    2 k2 0.5*kq/'
bad_model undefined_parameter_in_parameter 4 kq
mk undefined_parameter_in_amount '9s/50/B_init/'
bad_model undefined_parameter_in_amount 9 B_init
mk negative_initial_amount '9s/50/-5/'
bad_model negative_initial_amount 9 -5 "B()"
mk nan_initial_amount '9s/50/nan/'
bad_model nan_initial_amount 9 nan "B()"
mk NaN_initial_amount '9s/50/NaN/'
bad_model NaN_initial_amount 9 NaN "B()"
mk zero_over_zero_amount '9s|50|0/0|'
bad_model zero_over_zero_amount 9 "0/0" "B()"
mk inf_parameter '5s/100/1e999/'
bad_model inf_parameter 5 A0
mk duplicate_species_name '10s/C()/A()/'
bad_model duplicate_species_name 10 "A()" twice
mk duplicate_parameter_name '4s/k2/k1/'
bad_model duplicate_parameter_name 4 k1 twice
mk malformed_number '3s/1.0/1.2.3/'
bad_model malformed_number 3 1.2.3
mk malformed_number_in_amount '9s/50/5e/'
bad_model malformed_number_in_amount 9 5e
mk bad_group_weight '17s/.*/    1 Atot 2..5*1,3/'
bad_model bad_group_weight 17 2..5 weight
mk reaction_two_fields '14s/.*/    2 3/'
bad_model reaction_two_fields 14 "reaction 2"
mk reaction_extra_field '13s/k1/k1 k2/'
bad_model reaction_extra_field 13 "'k2'"
mk reaction_out_of_sequence '14s/^    2 /    5 /'
bad_model reaction_out_of_sequence 14 5
mk text_outside_blocks '11a stray text here'
bad_model text_outside_blocks 12 stray
mk end_wrong_block '11s/end species/end reactions/'
bad_model end_wrong_block 11 reactions
mk unbalanced_parenthesis '13s/k1/(k1*2/'
bad_model unbalanced_parenthesis 13 "(k1*2"
mk dangling_operator '13s/k1/k1*/'
bad_model dangling_operator 13 "k1*"
mk negative_rate_constant '13s/k1/-k1/'
bad_model negative_rate_constant 13 -k1 R1
mk parameter_cycle '3s/1.0/k2/;4s/0.5/k1/'
bad_model parameter_cycle 3 k1 itself
mk unknown_function '14s/k2/foo(k2)/'
bad_model unknown_function 14 foo
mk unsupported_block '16s/begin groups/begin compartments/;19s/end groups/end compartments/'
bad_model unsupported_block 16 compartments
printf '%s\n' "$BASE" | sed -e '14s/k2/kx/' | sed -e 's/$/\r/' >"$MODELS/crlf_undefined_rate.net"
bad_model crlf_undefined_rate 14 kx

# ------------------------------------------------------------------ unreadable models

# bad_path NAME MODEL TEXT...: both commands exit 1 with one line containing each TEXT.
bad_path() {
    local name=$1 model=$2
    shift 2
    begin_case "$name"
    local cmd t
    for cmd in simulate info; do
        if [ $cmd = simulate ]; then
            run simulate "$model" --t-end 1 --n-steps 2 -o "$OUT/$name.h5"
        else
            run info "$model"
        fi
        expect_status 1
        expect_one_line
        for t in "$@"; do expect_stderr_has "$t"; done
        expect_stdout_empty
    done
    expect_no_new_files
    end_case
}

bad_path "nonexistent model file" "$MODELS/does_not_exist.net" "$MODELS/does_not_exist.net"
cp "$GOOD" "$MODELS/model.bngl"
bad_path "unsupported extension .bngl" "$MODELS/model.bngl" "$MODELS/model.bngl" ".bngl"
cp "$GOOD" "$MODELS/model_no_ext"
bad_path "model without an extension" "$MODELS/model_no_ext" "$MODELS/model_no_ext"
mkdir -p "$MODELS/a_directory.net"
bad_path "model path is a directory" "$MODELS/a_directory.net" "$MODELS/a_directory.net"
: >"$MODELS/empty.net"
bad_path "empty model file" "$MODELS/empty.net" "$MODELS/empty.net" "species"
{ head -c 100 "$GOOD"; printf '\0'; tail -c +101 "$GOOD"; } >"$MODELS/nul_byte.net"
bad_path "model with a NUL byte" "$MODELS/nul_byte.net" "$MODELS/nul_byte.net" "NUL"
# issue 21, crash 2: an SBML function definition whose bvar is an expression (SIGSEGV before)
bad_path "SBML bvar that is not a name" "$(cd "$(dirname "$0")" && pwd)/data/sbml/bvar_expression.xml" \
    "bvar_expression.xml" "function definition 'f'" "not a name"
# issue 21, crash 3: libsbml threw a C++ exception through ilnet's C code (std::terminate)
bad_path "SBML that makes libsbml throw" \
    "$(cd "$(dirname "$0")" && pwd)/data/sbml/unknown_namespace_stoichiometry_math.xml" \
    "unknown_namespace_stoichiometry_math.xml" "not a valid SBML document"

# ------------------------------------------------------------------ bad options

# bad_option NAME TEXT ARGS...: exit 1, one line containing TEXT, no output created.
bad_option() {
    local name=$1 text=$2
    shift 2
    begin_case "bad option: $name"
    run "$@"
    expect_status 1
    expect_one_line
    [ -z "$text" ] || expect_stderr_has "$text"
    expect_stdout_empty
    expect_no_new_files
    end_case
}

O=$OUT/opt.h5
bad_option "--n-steps 0" "--n-steps" simulate "$GOOD" --t-end 10 --n-steps 0 -o "$O"
bad_option "--n-steps -3" "--n-steps" simulate "$GOOD" --t-end 10 --n-steps -3 -o "$O"
bad_option "--n-steps 1.5" "--n-steps" simulate "$GOOD" --t-end 10 --n-steps 1.5 -o "$O"
bad_option "--n-steps abc" "abc" simulate "$GOOD" --t-end 10 --n-steps abc -o "$O"
bad_option "missing --n-steps" "--n-steps" simulate "$GOOD" --t-end 10 -o "$O"
bad_option "--atol -1" "--atol" simulate "$GOOD" --t-end 10 --n-steps 5 --atol -1 -o "$O"
bad_option "--atol 0" "--atol" simulate "$GOOD" --t-end 10 --n-steps 5 --atol 0 -o "$O"
bad_option "--rtol nan" "--rtol" simulate "$GOOD" --t-end 10 --n-steps 5 --rtol nan -o "$O"
bad_option "--max-steps 0" "--max-steps" simulate "$GOOD" --t-end 10 --n-steps 5 --max-steps 0 -o "$O"
bad_option "--solver foo" "foo" simulate "$GOOD" --t-end 10 --n-steps 5 --solver foo -o "$O"
bad_option "both --t-end and --duration" "--duration" \
    simulate "$GOOD" --t-end 10 --duration 5 --n-steps 5 -o "$O"
bad_option "neither --t-end nor --duration" "--t-end" simulate "$GOOD" --n-steps 5 -o "$O"
bad_option "--t-end before --t-start" "--t-start" \
    simulate "$GOOD" --t-start 5 --t-end 1 --n-steps 5 -o "$O"
bad_option "--t-end inf" "inf" simulate "$GOOD" --t-end inf --n-steps 5 -o "$O"
bad_option "--duration -1" "--duration" simulate "$GOOD" --duration -1 --n-steps 5 -o "$O"
bad_option "unknown option --bogus" "--bogus" simulate "$GOOD" --t-end 10 --n-steps 5 --bogus -o "$O"
bad_option "unknown short option -x" "-x" simulate "$GOOD" --t-end 10 --n-steps 5 -x -o "$O"
bad_option "option without its value" "--n-steps" simulate "$GOOD" --t-end 10 --n-steps
bad_option "missing MODEL" "MODEL" simulate --t-end 10 --n-steps 5 -o "$O"
bad_option "two MODELs" "unexpected" simulate "$GOOD" "$GOOD" --t-end 10 --n-steps 5 -o "$O"
bad_option "info --bogus" "--bogus" info "$GOOD" --bogus
bad_option "info without MODEL" "MODEL" info
bad_option "unknown command" "frobnicate" frobnicate "$GOOD"

# ------------------------------------------------------------------ presets files

# YAML: a quoted scalar is a string, so a quoted number is an error, as in study configs
# (tests/test_study_config_errors.sh); the same number unquoted is fine.
printf 'presets:\n  fast:\n    parameters: {k1: 3.5}\n' >"$MODELS/plain.presets.yaml"
printf 'presets:\n  fast:\n    parameters: {k1: "3.5"}\n' >"$MODELS/quoted.presets.yaml"

begin_case "presets file: a quoted number"
run simulate "$GOOD" --t-end 10 --n-steps 5 --presets "$MODELS/quoted.presets.yaml" \
    --preset fast -o "$OUT/presets.h5"
expect_status 1
expect_one_line
expect_stderr_has \
    "$MODELS/quoted.presets.yaml:3:22: presets.fast.parameters.k1: expected a number, found a quoted string"
expect_stdout_empty
expect_no_new_files
end_case

begin_case "presets file: the same number unquoted"
run simulate "$GOOD" --t-end 10 --n-steps 5 --presets "$MODELS/plain.presets.yaml" \
    --preset fast -o "$OUT/presets.h5" -q
expect_status 0
expect_stderr_empty
[ -f "$OUT/presets.h5" ] || problem "no output written"
rm -f "$OUT/presets.h5"
expect_no_new_files
end_case

# ------------------------------------------------------------------ output problems

begin_case "unwritable -o directory"
run simulate "$GOOD" --t-end 10 --n-steps 5 -o "$SCRATCH/no/such/dir/out.h5"
expect_status 1
expect_one_line
expect_stderr_has "$SCRATCH/no/such/dir/out.h5"
expect_no_new_files
end_case

begin_case "-o names an existing directory"
run simulate "$GOOD" --t-end 10 --n-steps 5 -o "$OUT/a_directory.h5"
expect_status 1
expect_one_line
expect_stderr_has "a_directory.h5"
expect_no_new_files
[ -d "$OUT/a_directory.h5" ] || problem "the directory was replaced"
end_case

begin_case "unwritable --csv"
run simulate "$GOOD" --t-end 10 --n-steps 5 --csv "$SCRATCH/no/such/dir/out.csv"
expect_status 1
expect_one_line
expect_stderr_has "out.csv"
expect_no_new_files
end_case

# ------------------------------------------------------------------ solver failure

# h5_check FILE STATUS MIN_ROWS MAX_ROWS: the root attribute 'status' and the row count.
h5_check() {
    "$PYTHON" - "$@" <<'EOF' 2>&1
import sys
import h5py
path, want, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with h5py.File(path, "r") as f:
    s = f.attrs["status"]
    s = s.decode() if isinstance(s, bytes) else str(s)
    if s != want:
        print("status attribute is %r, want %r" % (s, want))
    n = f["time"].shape[0]
    if not lo <= n <= hi:
        print("%d time rows, want %d..%d" % (n, lo, hi))
    if f["species_amounts"].shape[0] != n:
        print("species_amounts has %d rows, time %d" % (f["species_amounts"].shape[0], n))
EOF
}

begin_case "solver failure (--max-steps 1): exit 2, partial HDF5"
run simulate "$GOOD" --t-end 1000 --n-steps 10 --max-steps 1 -o "$OUT/partial.h5" \
    --csv "$OUT/partial.csv" --gdat "$OUT/partial"
expect_status 2
expect_one_line
expect_stderr_has "$GOOD"
expect_stderr_has "t = "
expect_stderr_has "partial"
if [ -f "$OUT/partial.h5" ]; then
    msg=$(h5_check "$OUT/partial.h5" partial 1 10)
    [ -z "$msg" ] || problem "partial.h5: $msg"
else
    problem "no HDF5 output written on solver failure"
fi
[ -f "$OUT/partial.csv" ] || problem "no CSV output written on solver failure"
for f in "$OUT/partial.csv" "$OUT/partial.gdat" "$OUT/partial.cdat"; do
    [ -f "$f" ] || { problem "no $(basename "$f") written on solver failure"; continue; }
    tail -n 1 "$f" | grep -q '^# partial: ' ||
        problem "$(basename "$f") does not end with a '# partial:' line"
done
rm -f "$OUT/partial.h5" "$OUT/partial.csv" "$OUT/partial.gdat" "$OUT/partial.cdat"
expect_no_new_files
end_case

begin_case "solver failure with the default output name"
run simulate "$GOOD" --duration 1000 --n-steps 4 --max-steps 1
expect_status 2
expect_one_line
expect_stderr_has "t = "
if [ -f "$OUT/good.h5" ]; then
    msg=$(h5_check "$OUT/good.h5" partial 1 4)
    [ -z "$msg" ] || problem "good.h5: $msg"
else
    problem "no default output good.h5 written on solver failure"
fi
rm -f "$OUT/good.h5"
expect_no_new_files
end_case

# ------------------------------------------------------------------ successes

begin_case "valid model simulates (exit 0, complete HDF5)"
run simulate "$GOOD" --t-end 10 --n-steps 5 -o "$OUT/ok.h5" -q
expect_status 0
expect_stderr_empty
if [ -f "$OUT/ok.h5" ]; then
    msg=$(h5_check "$OUT/ok.h5" complete 6 6)
    [ -z "$msg" ] || problem "ok.h5: $msg"
else
    problem "no output written"
fi
rm -f "$OUT/ok.h5"
end_case

printf '%s\n' "$BASE" | sed -e 's/$/\r/' >"$MODELS/crlf_good.net"
begin_case "valid model with CRLF line endings"
run info "$MODELS/crlf_good.net"
expect_status 0
expect_stderr_empty
grep -q "species: *3" "$SCRATCH/stdout" || problem "info does not report 3 species"
end_case

# ok_cmd NAME TEXT ARGS...: exit 0, TEXT on stdout, nothing on stderr, no files.
ok_cmd() {
    local name=$1 text=$2
    shift 2
    begin_case "$name"
    run "$@"
    expect_status 0
    expect_stderr_empty
    grep -qF -- "$text" "$SCRATCH/stdout" || problem "stdout lacks '$text'"
    expect_no_new_files
    end_case
}

ok_cmd "--help" "usage: ilnet" --help
ok_cmd "-h" "usage: ilnet" -h
ok_cmd "--version" "ilnet " --version
ok_cmd "simulate --help" "usage: ilnet simulate" simulate --help
ok_cmd "info --help" "usage: ilnet info" info --help
ok_cmd "info on a valid model" "species:" info "$GOOD"

begin_case "no arguments: exit 1, usage on stderr only"
run
expect_status 1
expect_stdout_empty
[ -s "$SCRATCH/stderr" ] || problem "nothing on stderr"
end_case

# ------------------------------------------------------------------ outputs that are inputs
# issue 21, data loss 5: `ilnet run tc.yaml -o tc.yaml` replaced the config with the HDF5
# result (exit 0), `-o model.net` the model. An output that is an input (however it is
# spelled) is refused before anything runs, and the input is left as it was.
mkdir -p "$MODELS/io"
cp "$GOOD" "$MODELS/io/in.net"
printf 'model: in.net\nsimulation: {t_end: 1, n_steps: 2}\nexperiments:\n  - {name: a, type: timecourse}\n' \
    >"$MODELS/io/in.yaml"
for target in in.yaml in.net ../io/./in.net; do
    begin_case "run -o $target (an input of the study)"
    before=$(md5sum <"$MODELS/io/$(basename "$target")")
    run run "$MODELS/io/in.yaml" -o "$MODELS/io/$target"
    expect_status 1
    expect_one_line
    expect_stderr_has "refusing to overwrite an input"
    [ "$(md5sum <"$MODELS/io/$(basename "$target")")" = "$before" ] || problem "$target was changed"
    end_case
done
for opt in -o --csv; do
    begin_case "simulate $opt MODEL (the model itself)"
    before=$(md5sum <"$MODELS/io/in.net")
    run simulate "$MODELS/io/in.net" --t-end 1 --n-steps 2 $opt "$MODELS/io/in.net"
    expect_status 1
    expect_one_line
    expect_stderr_has "the output file is the model"
    [ "$(md5sum <"$MODELS/io/in.net")" = "$before" ] || problem "the model was changed"
    end_case
done

# issue 16: ilnet info lists what a user may name; unknown names get a suggestion
begin_case "info il2_il7 lists parameters, species, observables and functions"
run info il2_il7
expect_status 0
expect_stderr_empty
grep -qE '^  L2_nM +0$' "$SCRATCH/stdout" || problem "no 'L2_nM 0' parameter line"
grep -qE '^  k11rev_eff +[0-9.e+-]+  = f_k11\*k11rev_L2A_b$' "$SCRATCH/stdout" ||
    problem "a derived parameter without its expression"
grep -qF '  pSTAT5_total: Molecules S5(y~p) (12 species)' "$SCRATCH/stdout" ||
    problem "no observable definition for pSTAT5_total"
grep -qE '^ +1 IL2\(a,b,g,loc~s\)  0 \(= L2_nM\*nM_ext\)  fixed$' "$SCRATCH/stdout" ||
    problem "species 1 without its amount expression and 'fixed'"
for section in parameters: species: observables: functions: 'conservation laws:'; do
    grep -q "^$section" "$SCRATCH/stdout" || problem "no section '$section'"
done
end_case

begin_case "info --only parameters prints that section alone"
run info il2_il7 --only parameters
expect_status 0
head -1 "$SCRATCH/stdout" | grep -qE '^parameters: [0-9]+$' || problem "does not start with parameters"
grep -q "^species:\|^model:" "$SCRATCH/stdout" && problem "other sections printed"
end_case

begin_case "info --only with an unknown section"
run info il2_il7 --only parameters,bogus
expect_status 1
expect_one_line
expect_stderr_has "unknown section 'bogus'"
end_case

begin_case "--set with a misspelled parameter suggests the right one"
run simulate il2_il7 --set L2_mM=1 --t-end 1 --n-steps 1 -o x.h5
expect_status 1
expect_one_line
expect_stderr_has "the model has no parameter 'L2_mM' (did you mean 'L2_nM'?)"
expect_no_new_files
end_case

begin_case "--set with a name like none of the model's: no suggestion"
run simulate il2_il7 --set zzzz=1 --t-end 1 --n-steps 1 -o x.h5
expect_status 1
expect_one_line
grep -q "did you mean" "$SCRATCH/stderr" && problem "a suggestion for zzzz: $(stderr_text)"
end_case

printf 'model: il2_il7\nsimulation: {t_end: 1, n_steps: 2}\nexperiments:\n  - {name: a, type: timecourse, parameters: {L2_nm: 1}}\n' \
    >"$MODELS/dym.yaml"
begin_case "a study config with a misspelled parameter suggests the right one"
run run "$MODELS/dym.yaml" --check
expect_status 1
expect_one_line
expect_stderr_has "dym.yaml:4:"
expect_stderr_has "did you mean 'L2_nM'?"
end_case

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
