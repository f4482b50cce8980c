#!/usr/bin/env bash
# exports_check.sh "<symbol>..." <library>... - every library's dynamic symbol table defines exactly these symbols
# (space-separated, in sort order).
set -u
want=$1; shift
fail=0
for lib in "$@"; do
  got=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort | tr '\n' ' ')
  if [ "$got" != "$want " ]; then echo "FAIL: $lib exports: $got(expected only $want)"; fail=1; else echo "ok: $lib exports only $want"; fi
done
exit $fail
