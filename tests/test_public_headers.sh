#!/usr/bin/env bash
# The public headers stand alone: each compiles by itself as C99 -pedantic and as C++17
# -pedantic (warnings are errors), and so does a unit using every _INIT macro; the shared
# library exports exactly the functions the headers declare with ILNET_EXTERN, every one of
# them named ilnet_*, and nothing else (nm -D).
# usage: test_public_headers.sh SOURCE_DIR BUILD_DIR LIBILNET_SO
set -euo pipefail
src=$1 build=$2 so=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
inc=(-I "$src/include" -I "$build/include")

headers=$(cd "$src/include" && ls ilnet/*.h) 
headers="$headers ilnet/version.h"
n=0
for h in $headers; do
  printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$tmp/one.c"
  cp "$tmp/one.c" "$tmp/one.cpp"
  cc -std=c99 -pedantic -Wall -Wextra -Werror "${inc[@]}" -c "$tmp/one.c" -o "$tmp/one.o" \
    || fail "$h does not compile alone as C99"
  c++ -std=c++17 -pedantic -Wall -Wextra -Werror "${inc[@]}" -c "$tmp/one.cpp" -o "$tmp/one.o" \
    || fail "$h does not compile alone as C++17"
  n=$((n + 1))
done
cat >"$tmp/init.c" <<'C'
#include <ilnet/ilnet.h>
int main(void)
{
    ilnet_model_options mo = ILNET_MODEL_OPTIONS_INIT;
    ilnet_simulate_options so = ILNET_SIMULATE_OPTIONS_INIT;
    ilnet_study_options to = ILNET_STUDY_OPTIONS_INIT;
    return !(mo.version == ILNET_MODEL_OPTIONS_VERSION && so.rtol == 1e-8 &&
             so.version == ILNET_SIMULATE_OPTIONS_VERSION && to.threads == 0 &&
             to.version == ILNET_STUDY_OPTIONS_VERSION && ILNET_VERSION_NUMBER > 0);
}
C
cp "$tmp/init.c" "$tmp/init.cpp"
cc -std=c99 -pedantic -Wall -Wextra -Werror "${inc[@]}" "$tmp/init.c" -o "$tmp/init_c" \
  && "$tmp/init_c" || fail "the _INIT macros as C99"
c++ -std=c++17 -pedantic -Wall -Wextra -Werror "${inc[@]}" "$tmp/init.cpp" -o "$tmp/init_cpp" \
  && "$tmp/init_cpp" || fail "the _INIT macros as C++17"

# exported symbols = declared public functions
# (a declaration may wrap after ILNET_EXTERN(type): read each header whole)
cat "$src"/include/ilnet/*.h "$src"/include/ilnet/version.h.in | tr '\n' ' ' |
  grep -oE 'ILNET_EXTERN\([^)]*\)[[:space:]]*ilnet_[A-Za-z0-9_]+[[:space:]]*\(' |
  sed -E 's/.*\)[[:space:]]*(ilnet_[A-Za-z0-9_]+)[[:space:]]*\($/\1/' | sort -u >"$tmp/declared"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWi]$/ {print $3}' | sort -u >"$tmp/exported"
if ! diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
  fail "exported symbols differ from the public declarations (- declared only, + exported only):"
  cat "$tmp/diff" >&2
fi
grep -v '^ilnet_' "$tmp/exported" && fail "exported symbols not named ilnet_*"
[ "$(wc -l <"$tmp/declared")" -ge 40 ] || fail "too few public functions found: $(wc -l <"$tmp/declared")"
echo "public headers: $n headers alone as C99 and C++17; $(wc -l <"$tmp/exported") exported symbols, all declared"
exit $((fails > 0))
