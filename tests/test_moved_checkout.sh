#!/usr/bin/env bash
# A checkout moved (or copied) elsewhere with its build directory still configures: the
# stale CMake cache, written for the old path, is dropped and rebuilt by scripts/configure
# (which scripts/setup, and so scripts/run and scripts/test, use) instead of failing.
# usage: test_moved_checkout.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "$1" && pwd) build=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/moved"
(cd "$src" && tar --exclude='./build*' --exclude=./.git --exclude=./results -cf - . |
  tar -xf - -C "$tmp/moved")
mkdir -p "$tmp/moved/build"
cp "$build/CMakeCache.txt" "$tmp/moved/build/"
cp -r "$build/CMakeFiles" "$tmp/moved/build/"
# what CMake itself says about such a cache
if cmake -S "$tmp/moved" -B "$tmp/moved/build" >"$tmp/plain.log" 2>&1; then
  echo "FAIL: plain cmake accepted a cache from another directory; the test proves nothing" >&2
  exit 1
fi
"$tmp/moved/scripts/configure" build >"$tmp/configure.log" 2>&1 || {
  echo "FAIL: scripts/configure in a moved checkout:" >&2
  cat "$tmp/configure.log" >&2
  exit 1
}
grep -q "reconfiguring for" "$tmp/configure.log" || { echo "FAIL: no reconfigure message" >&2; exit 1; }
grep -q "^CMAKE_HOME_DIRECTORY:INTERNAL=$tmp/moved$" "$tmp/moved/build/CMakeCache.txt" \
  || { echo "FAIL: the cache does not point at the moved checkout" >&2; exit 1; }
echo "moved checkout: stale cache dropped and reconfigured"
