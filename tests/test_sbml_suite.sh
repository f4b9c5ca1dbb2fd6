#!/usr/bin/env bash
# Runs the SBML Test Suite tiers in ../shared/reference/sbml-suite with the command the
# issue gives, prints the pass counts per tier, and fails when a tier passes fewer cases
# than its recorded baseline (a drop) or than the acceptance floor (tier 1 all, tier 2
# >= 95 %, tier 3 (events) >= 80 %).
# usage: test_sbml_suite.sh ILNET SHARED_DIR TIER
set -uo pipefail
ilnet=$1 shared=$2 tier=$3
declare -A baseline=([1]=206 [2]=344 [3]=221)
list=$shared/reference/sbml-suite/tier$tier.txt
total=$(grep -cv '^\s*\(#\|$\)' "$list")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$(/usr/bin/python3 "$shared/tools/sbml_suite.py" --jobs 2 --workdir "$work" --cmd "$ilnet simulate {model} --t-start {start} --duration {duration} --n-steps {steps} --vars {variables} --amount {amount} --concentration {concentration} --csv {out} -q" "@$list" 2>&1)
last=$(echo "$out" | tail -1)
passed=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
echo "$out" | grep -E "FAIL|ERROR" | head -20
echo "SBML test suite tier $tier: $passed of $total passed (baseline ${baseline[$tier]})"
[ -n "$passed" ] || exit 1
[ "$passed" -ge "${baseline[$tier]}" ] || { echo "tier $tier dropped below its baseline"; exit 1; }
case $tier in
  1) [ "$passed" -eq "$total" ] ;;
  2) [ $((passed * 100)) -ge $((total * 95)) ] ;;
  3) [ $((passed * 100)) -ge $((total * 80)) ] ;;
esac
