#!/usr/bin/env bash
# Black-box tests of the errors for bad BNGL: unbalanced blocks, undefined molecule types,
# sites, states and parameters, bad bonds, and the warning for a rule that never fires.
#
# usage: test_bngl_errors.sh PATH/TO/ilnet
#
# Every bad model must make `ilnet netgen` and `ilnet simulate` exit with status 1 and
# exactly one line on stderr naming FILE:LINE: (FILE:LINE:COL: where the error has a
# column) and the offending name, without creating an output file. The expected lines
# and columns are counted by hand in the base model below. A rule that can never fire is
# a warning (docs/bngl.md): exit 0, one stderr line naming the file, the rule and its line.
# Prints one line per case and finally "N passed, M failed"; exits 1 on any failure.

set -u

ILNET=${1:?usage: test_bngl_errors.sh PATH/TO/ilnet}
case $ILNET in /*) ;; *) ILNET=$PWD/$ILNET ;; esac
if [ ! -x "$ILNET" ]; then
    echo "test_bngl_errors.sh: $ILNET is not executable" >&2
    exit 1
fi

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ilnet_bngl_errors.XXXXXX") || exit 1
trap 'rm -rf "$SCRATCH"' EXIT
MODELS=$SCRATCH/models
OUT=$SCRATCH/out
mkdir -p "$MODELS" "$OUT"

passed=0
failed=0
case_errors=()
status=0

problem() { case_errors+=("$*"); }

run() {
    (cd "$OUT" && "$ILNET" "$@" >"$SCRATCH/stdout" 2>"$SCRATCH/stderr" </dev/null)
    status=$?
    last_cmd="ilnet $*"
}

expect_status() {
    [ "$status" -eq "$1" ] || problem "exit status $status, want $1 ($last_cmd): $(head -c 300 "$SCRATCH/stderr")"
}

expect_one_line() {
    local nl
    nl=$(tr -cd '\n' <"$SCRATCH/stderr" | wc -c)
    if [ "$nl" -ne 1 ] || [ -n "$(tail -c1 "$SCRATCH/stderr" | tr -d '\n')" ]; then
        problem "stderr is not exactly one line ($nl newlines): $(head -c 400 "$SCRATCH/stderr" | tr '\n' '|')"
    fi
}

expect_stderr_has() {
    grep -qF -- "$1" "$SCRATCH/stderr" || problem "stderr lacks '$1': $(head -c 300 "$SCRATCH/stderr")"
}

end_case() {
    if [ ${#case_errors[@]} -eq 0 ]; then
        echo "ok   $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1"
        local e
        for e in "${case_errors[@]}"; do echo "       $e"; done
        failed=$((failed + 1))
    fi
    case_errors=()
}

# ------------------------------------------------------------------ the base model

BASE='# ilnet BNGL error tests
begin model
begin parameters
    kon 1.0
    koff 0.5
    kp 2
    A0 100
end parameters
begin molecule types
    A(b,y~U~P)
    B(a)
end molecule types
begin seed species
    A(b,y~U) A0
    B(a) 50
end seed species
begin observables
    Molecules AB A(b!1).B(a!1)
    Molecules Ap A(y~P)
end observables
begin reaction rules
    bind: A(b) + B(a) <-> A(b!1).B(a!1) kon, koff
    phos: A(b!+,y~U) -> A(b!+,y~P) kp
end reaction rules
end model'
#  1 comment, 2 begin model, 3 begin parameters, 4-7 kon koff kp A0, 8 end parameters,
#  9 begin molecule types, 10-11 A B, 12 end molecule types, 13 begin seed species,
# 14-15 A B, 16 end seed species, 17 begin observables, 18-19 AB Ap, 20 end observables,
# 21 begin reaction rules, 22 bind, 23 phos, 24 end reaction rules, 25 end model
# Columns: line 14 "    A(b,y~U) A0": A at 5, b at 7, y at 9, U at 11.
# Line 23 "    phos: A(b!+,y~U) -> A(b!+,y~P) kp": phos at 5, A at 11, y~P's P at 33.
# Line 22 "    bind: A(b) + B(a) <-> A(b!1).B(a!1) kon, koff": bind at 5, B at 18, its site a at 20.

printf '%s\n' "$BASE" >"$MODELS/base.bngl"

begin_ok() {
    run netgen "$MODELS/base.bngl" -o "$OUT/base.net" -q
    expect_status 0
    [ ! -s "$SCRATCH/stderr" ] || problem "unexpected stderr: $(head -c 300 "$SCRATCH/stderr")"
    [ -s "$OUT/base.net" ] || problem "no base.net written"
    rm -f "$OUT/base.net"
    end_case "base model generates without a message"
}
begin_ok

# bad NAME SED_SCRIPT WHERE TEXT...: MODELS/NAME.bngl (the base model edited by sed) makes
# netgen and simulate exit 1 with one line containing "MODELS/NAME.bngl:WHERE:" and each TEXT.
bad() {
    local name=$1 script=$2 where=$3
    shift 3
    local m=$MODELS/$name.bngl t
    printf '%s\n' "$BASE" | sed -e "$script" >"$m"
    if cmp -s "$m" "$MODELS/base.bngl"; then problem "sed script '$script' changed nothing"; fi
    run netgen "$m" -o "$OUT/$name.net"
    expect_status 1
    expect_one_line
    expect_stderr_has "$m:$where:"
    for t in "$@"; do expect_stderr_has "$t"; done
    run simulate "$m" --t-end 1 --n-steps 2 -o "$OUT/$name.h5"
    expect_status 1
    expect_one_line
    expect_stderr_has "$m:$where:"
    for t in "$@"; do expect_stderr_has "$t"; done
    local left
    left=$(ls -A "$OUT")
    [ -z "$left" ] || problem "files created: $left"
    rm -rf "${OUT:?}"/*
    end_case "$name"
}

# ------------------------------------------------------------------ unbalanced blocks

bad missing_end_parameters '8d' 8:1 "'begin molecule types'" "parameters block opened on line 3"
bad missing_end_molecule_types '12d' 12:1 "'begin seed species'" "molecule types block opened on line 9"
bad missing_end_reaction_rules '24d' 24:1 "'end model'" "reaction rules block opened on line 21"
bad missing_end_model '25d' 2 "'begin model' is never closed"
bad missing_end_at_eof '24,25d' 21 "'reaction rules' is never closed"
bad end_closes_wrong_block '16s/end seed species/end observables/' 16:1 "'end observables'" \
    "seed species block opened on line 13"
bad end_without_begin '20a end functions' 21:1 "'end functions' without a matching 'begin'"
bad begin_inside_block '19a begin functions' 20:1 "'begin functions'" "observables block opened on line 17"
bad unknown_block '17s/observables/observabels/;20s/observables/observabels/' 17 "observabels"

# ------------------------------------------------------------------ undefined names

bad undefined_molecule_type_in_rule '23s/A(b!+,y~U) -> A(b!+,y~P)/C(b!+,y~U) -> C(b!+,y~P)/' \
    23:11 "undefined molecule type 'C'"
bad undefined_molecule_type_in_seed '15s/B(a)/Q(a)/' 15:5 "undefined molecule type 'Q'"
bad undefined_molecule_type_in_observable '19s/A(y~P)/Z(y~P)/' 19:18 "undefined molecule type 'Z'"
bad undefined_molecule_type_in_product '23s/-> A(b!+,y~P)/-> A(b!+,y~P) + C()/' 23:38 \
    "undefined molecule type 'C'"
bad undefined_site_in_observable '19s/A(y~P)/A(z~P)/' 19:20 "no site 'z'" "'A'"
bad quantifier_without_number '19s/A(y~P)/A(y~P)==/' 19:26 "observable 'Ap'" "needs a whole number"
bad two_quantifiers '19s/A(y~P)/A(y~P)==2<3/' 19:27 "observable 'Ap'" "more than one quantifier"
bad undefined_site_in_seed '14s/y~U/w/' 14:9 "no site 'w'" "'A'"
bad undefined_site_in_rule '22s/B(a) <->/B(c) <->/' 22:20 "no site 'c'" "'B'"
bad undefined_state_in_rule '23s/y~P) kp/y~X) kp/' 23:33 "no state 'X'" "'y'"
bad undefined_state_in_seed '14s/y~U/y~Q/' 14:11 "no state 'Q'" "'y'"
bad undefined_parameter_in_rate_law '23s/ kp$/ kq/' 23:5 "'kq'" "phos"
bad undefined_parameter_in_reverse_rate '22s/koff$/koffx/' 22:5 "'koffx'" "bind" "reverse"
bad undefined_parameter_in_rate_expression '23s/ kp$/ 2*kq/' 23 "'kq'"
bad undefined_parameter_in_amount '15s/50/B0/' 15 "'B0'" "B(a)"
bad undefined_parameter_in_parameter '5s/0.5/0.5*kz/' 5 "'kz'" "koff"
# the rule below never fires (no A(b,y~P) exists): its rate law is checked all the same
bad undefined_parameter_in_idle_rule '23s/.*/    phos: A(b,y~P) -> A(b,y~U) kq/' 23:5 "'kq'" "phos"

# ------------------------------------------------------------------ bad bonds

bad dangling_bond_in_seed '14s/A(b,y~U)/A(b!1,y~U)/' 14:9 "'!1'" "one end"
bad dangling_bond_in_rule '22s/A(b!1).B(a!1)/A(b!1).B(a!2)/' 22:31 "'!1'" "one end"
bad dangling_bond_in_observable '18s/B(a!1)/B(a)/' 18:22 "'!1'" "one end"
bad bond_label_three_times '22s/A(b!1).B(a!1)/A(b!1).B(a!1).B(a!1)/' 22:45 "'!1'" "more than twice"
bad bond_without_label '14s/A(b,y~U)/A(b!,y~U)/' 14:8 "bond label after '!'"
# ------------------------------------------------------------------ actions
# a key with its value missing at a line end (issue 21, crash 1: the 9-byte reproducer
# `a({t=>\n})` overflowed the heap); the action's lines are joined, so the column is on 26
bad action_value_missing_at_line_end '25a simulate({t_end=>\n})' 26:18 "missing value after 't_end=>'" "'simulate'"
bad action_value_missing '25a simulate({method=>"ode",t_end=>})' 26:32 "missing value after 't_end=>'"
# found by fuzz_bngl: a created site taking (%label) the state of a site with other states
# crashed (SIGSEGV) when the species was written
printf '%s\n' 'begin reaction rules' '0->A(c1~1) v' 'A(c1%2)->B(c%2) b' 'end reaction rules' \
    >"$MODELS/inherit.bngl"
run netgen "$MODELS/inherit.bngl" -o "$OUT/inherit.net"
expect_status 1
expect_one_line
expect_stderr_has "$MODELS/inherit.bngl:3:1:"
expect_stderr_has "site 'c' of B takes the state of site 'c1' of A"
rm -f "$OUT/inherit.net"
end_case "state inherited by a site without those states"
# ------------------------------------------------------------------ unbounded networks
# issue 21, blow-up 8: rules that grow without bound (a linear polymer) ran silently until
# memory was gone. Beyond a ceiling generation stops with one line saying why and what to
# do; the ceiling applies by default only when the model sets no limit of its own.
printf '%s\n' 'begin model' 'begin parameters' '  k 1' 'end parameters' 'begin molecule types' \
    '  M(h,t)' 'end molecule types' 'begin seed species' '  M(h,t) 100' 'end seed species' \
    'begin reaction rules' '  M(t) + M(h) -> M(t!1).M(h!1) k' 'end reaction rules' 'end model' \
    >"$MODELS/polymer.bngl"
run netgen "$MODELS/polymer.bngl" -o "$OUT/polymer.net" --max-species 20
expect_status 1
expect_one_line
expect_stderr_has "$MODELS/polymer.bngl: network generation stopped in round 5 at 32 species"
expect_stderr_has "max_iter, max_agg or max_stoich"
[ ! -e "$OUT/polymer.net" ] || problem "a .net was written"
end_case "unbounded polymer: stopped at the species ceiling"
run netgen "$MODELS/polymer.bngl" -o "$OUT/polymer.net" --max-reactions 100
expect_status 1
expect_stderr_has "136 reactions, over the ceiling"
rm -f "$OUT/polymer.net"
end_case "unbounded polymer: stopped at the reaction ceiling"
run netgen "$MODELS/polymer.bngl" -o "$OUT/polymer.net" --max-iter 4 -q
expect_status 0
[ -s "$OUT/polymer.net" ] || problem "no .net with max_iter"
rm -f "$OUT/polymer.net"
end_case "unbounded polymer with max_iter: generated, no ceiling"

# ------------------------------------------------------------------ a rule that never fires

NEVER=$MODELS/never_fires.bngl
printf '%s\n' "$BASE" | sed -e '23s/.*/    phos: A(b,y~P) -> A(b,y~U) kp/' >"$NEVER"
run netgen "$NEVER" -o "$OUT/never_fires.net" -q
expect_status 0
expect_one_line
expect_stderr_has "warning"
expect_stderr_has "$NEVER"
expect_stderr_has "phos (line 23)"
[ -s "$OUT/never_fires.net" ] || problem "never_fires.net not written"
rm -rf "${OUT:?}"/*
end_case "rule that never fires: warning naming the rule and its line, exit 0"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
