#!/usr/bin/env bash
# The library is silent and leaves the process alone: no object of libilnet.a refers to
# stdout or stderr, to printf-family calls that can only reach the terminal (printf, puts,
# putchar, perror, vprintf), to signal handling (signal, sigaction, raise), to isatty, or to
# exit/abort. Writing files with fprintf(FILE *) stays allowed. (The command line, which
# owns the terminal and SIGINT/SIGTERM, is not part of the library.)
# usage: test_library_silent.sh LIBILNET_A
set -euo pipefail
lib=$1
forbidden='^(stdout|stderr|printf|__printf_chk|vprintf|__vprintf_chk|puts|putchar|perror|signal|sigaction|raise|isatty|exit|_exit|abort)$'
hits=$(nm -A -u "$lib" | awk '{print $1, $NF}' | awk -v re="$forbidden" '$2 ~ re' || true)
if [ -n "$hits" ]; then
  echo "FAIL: the library refers to the terminal, signals or process exit:" >&2
  echo "$hits" >&2
  exit 1
fi
n=$(nm -A -u "$lib" | wc -l)
echo "library silent: $n undefined references checked in $(basename "$lib"), none forbidden"
