#!/usr/bin/env bash
# Builds the discovery set: <count> genuinely distinct plugin libraries (one source compiled with
# -DNP_BENCH_DISCOVERY_ID=NNNN, so each carries its own plugin id) into <out>/<count>/, and copies of the first 10
# and 100 into <out>/10/ and <out>/100/. Called by the CMake target np_bench_discovery_set; compiles in parallel.
# usage: make-discovery-set.sh <c-compiler> <source.c> <out-dir> <count> <include-dir>...
set -euo pipefail
cc=$1 src=$2 out=$3 count=$4
shift 4
# The include directories travel in CPATH so that paths with spaces survive xargs and sh -c.
CPATH=$(IFS=:; echo "$*")
export CPATH

rm -rf "$out"
mkdir -p "$out/$count"
export cc src out count
# One compiler process per library; -O1 and no debug info keep the ~1,000 compiles short.
seq -f '%04g' 1 "$count" | xargs -P "$(nproc)" -I{} sh -c \
  '"$cc" -std=c11 -O1 -fPIC -shared -fvisibility=hidden -DNP_BENCH_DISCOVERY_ID={} "$src" -o "$out/$count/libnp_bench_disc_{}.so"'
for subset in 10 100; do
  if [ "$subset" -lt "$count" ]; then
    mkdir -p "$out/$subset"
    for i in $(seq -f '%04g' 1 "$subset"); do cp "$out/$count/libnp_bench_disc_$i.so" "$out/$subset/"; done
  fi
done
