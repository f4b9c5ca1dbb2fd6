#!/usr/bin/env bash
# libilnet as others use it: `cmake --install` into a temporary prefix; the installed tree
# holds the shared and static libraries, the public headers, ilnet.pc, the CMake package,
# the command, the built-in models and the plot scripts; the two examples (C and C++) build
# against it with `pkg-config --cflags --libs ilnet` and with find_package(ilnet), using
# only installed headers, and run. Then the install tree and a copy of the build tree are
# moved elsewhere: `ilnet run configs/il2_main.yaml` still works there and uses the
# built-in model of the moved tree (a marker added to that tree's copy of the model shows
# up in the study file), and a built-in name is a model everywhere (`ilnet info il2_il7`).
# usage: test_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=
for d in lib lib64 lib/*-linux-gnu; do
  if [ -e "$prefix/$d/libilnet.so" ]; then libdir=$d; break; fi
done
[ -n "$libdir" ] || fail "no libilnet.so under $prefix/lib"
for f in "$libdir/libilnet.so" "$libdir/libilnet.a" "$libdir/pkgconfig/ilnet.pc" \
    "$libdir/cmake/ilnet/ilnetConfig.cmake" "$libdir/cmake/ilnet/ilnetConfigVersion.cmake" \
    include/ilnet/ilnet.h include/ilnet/version.h include/ilnet/model.h include/ilnet/solver.h \
    include/ilnet/study.h include/ilnet/petab.h include/ilnet/fit.h include/ilnet/error.h include/ilnet/common.h bin/ilnet \
    share/ilnet/models/il2_il7.bngl share/ilnet/models/il2_il7.presets.yaml \
    share/ilnet/scripts/plot_study.py; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
# only the public headers are installed
extra=$(cd "$prefix/include/ilnet" && ls | grep -vxE 'common.h|error.h|fit.h|ilnet.h|model.h|petab.h|solver.h|study.h|version.h' || true)
[ -z "$extra" ] || fail "private headers installed: $extra"

# the examples against the installed tree through pkg-config, nothing from the source tree
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
flags=$(pkg-config --cflags --libs ilnet)
# a sanitizer build's library needs its runtime in the program too
if grep -q libasan <<<"$(ldd "$prefix/$libdir/libilnet.so")"; then
  flags="-fsanitize=address,undefined $flags"
fi
[ "$(pkg-config --modversion ilnet)" = "$(sed -n 's/^#define ILNET_VERSION "\(.*\)"/\1/p' "$prefix/include/ilnet/version.h")" ] \
  || fail "pkg-config version differs from the header's"
mkdir "$tmp/ex"
cp "$src/examples/simulate.c" "$src/examples/study.cpp" "$tmp/ex/"
# shellcheck disable=SC2086
cc -std=c99 -Wall -Wextra -Werror -pedantic "$tmp/ex/simulate.c" $flags -o "$tmp/ex/simulate"
# shellcheck disable=SC2086
c++ -std=c++17 -Wall -Wextra -Werror -pedantic "$tmp/ex/study.cpp" $flags -o "$tmp/ex/study"
export LD_LIBRARY_PATH=$prefix/$libdir
"$tmp/ex/simulate" il2_il7 human_treg L2_nM=1 >"$tmp/ex/sim.txt" || fail "simulate example"
grep -q "share/ilnet/models/il2_il7.bngl: 105 species" "$tmp/ex/sim.txt" \
  || fail "simulate example output: $(head -3 "$tmp/ex/sim.txt")"
grep -q "^copy (parameter x 10):" "$tmp/ex/sim.txt" || fail "simulate example: no copy"
# (ldd's output first: grep -q closing the pipe early would fail the pipeline)
linked=$(ldd "$tmp/ex/simulate")
grep -q "$prefix/$libdir/libilnet.so" <<<"$linked" || fail "not linked to the installed library"
cat >"$tmp/ex/small.yaml" <<'YAML'
model: il2_il7
simulation: {t_end: 30, n_steps: 3}
output: {observables: [pSTAT5_total]}
experiments:
  - name: dose
    type: dose_response
    dose: {parameter: L2_nM}
    doses: {logspace: {min: 1e-3, max: 10, n: 5}}
    readout: {observable: pSTAT5_total, times: [30]}
YAML
"$tmp/ex/study" "$tmp/ex/small.yaml" "$tmp/ex/small.h5" >"$tmp/ex/study.txt" 2>"$tmp/ex/study.err" \
  || fail "study example: $(cat "$tmp/ex/study.err")"
grep -q "study done: 5 points" "$tmp/ex/study.txt" || fail "study example: $(cat "$tmp/ex/study.txt")"
grep -q "small.h5: 5 points in" "$tmp/ex/study.err" || fail "study example: no summary message"

# the Python package from the installed tree (not in a sanitizer build: Python is not)
if [ "${flags#-fsanitize}" = "$flags" ]; then
  [ -e "$prefix/lib/python3/dist-packages/ilnet/__init__.py" ] || fail "Python package not installed"
  out=$(cd "$tmp" && env -u ILNET_LIBRARY -u LD_LIBRARY_PATH PYTHONPATH="$prefix/lib/python3/dist-packages" \
    /usr/bin/python3 -c "import ilnet; m = ilnet.load('il2_il7', preset='human_treg'); \
r = m.simulate(t_end=10, n_steps=2); print(ilnet.library_path); print(r.sizes['species'])") \
    || fail "import ilnet from the installed tree"
  grep -q "^$prefix/$libdir/libilnet.so" <<<"$out" || fail "Python used another library: $out"
  grep -qx 105 <<<"$out" || fail "Python simulate from the installed tree: $out"
fi

# the same examples through the CMake package
san=()
case "$flags" in -fsanitize*) san=(-DCMAKE_C_FLAGS=-fsanitize=address,undefined
  -DCMAKE_CXX_FLAGS=-fsanitize=address,undefined) ;; esac
cmake -S "$src/examples" -B "$tmp/ex-cmake" -DCMAKE_PREFIX_PATH="$prefix" "${san[@]}" >/dev/null \
  || fail "find_package(ilnet)"
cmake --build "$tmp/ex-cmake" >/dev/null || fail "examples with find_package(ilnet)"
"$tmp/ex-cmake/simulate" il2_il7 >/dev/null || fail "simulate example (CMake build)"

# moved trees keep their own built-in model
check_moved() { # DIR_WITH_ILNET LABEL
  local bin=$1/ilnet label=$2 model
  model=$(cd "$1" && cd "$3" && pwd)/il2_il7.bngl
  echo "# marker: $label" >>"$model"
  (cd "$tmp" && "$bin" run "$src/configs/il2_main.yaml" -o "$tmp/$label.h5" -q) \
    || fail "$label: ilnet run configs/il2_main.yaml"
  /usr/bin/python3 - "$tmp/$label.h5" "$model" "$label" <<'PY' || fail "$label: study file"
import sys, h5py
path, model, label = sys.argv[1:]
with h5py.File(path, "r") as f:
    a = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f.attrs.items()}
assert a["status"] == "complete", a["status"]
assert a["model_path"] == model, (a["model_path"], model)
assert f"# marker: {label}" in a["model_text"], "model text is not the moved tree's"
PY
  local info
  info=$("$bin" info il2_il7) || fail "$label: ilnet info il2_il7"
  grep -q "^model: *$model" <<<"$info" || fail "$label: ilnet info il2_il7 names another model"
}
mv "$prefix" "$tmp/moved-prefix"
unset LD_LIBRARY_PATH
check_moved "$tmp/moved-prefix/bin" install ../share/ilnet/models
mkdir "$tmp/moved-build"
cp "$build/ilnet" "$tmp/moved-build/"
cp -r "$build/share" "$tmp/moved-build/"
check_moved "$tmp/moved-build" build share/ilnet/models
echo "install: ok ($prefix, $libdir)"
