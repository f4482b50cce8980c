#!/usr/bin/env bash
# Runs every benchmark of NativePlugins and prints ONE comparison table: the .NET host next to the C host, as ratios
# measured in the same run (benchmarks/README.md).
#
#   bash benchmarks/run.sh            full run (about 10 minutes on a 2-core machine once built); results in
#                                     benchmarks/results/{summary.md,summary.json,raw/}
#   bash benchmarks/run.sh --quick    smoke test (a couple of minutes): short runs, results in benchmarks/results/tmp/quick/
#   options: --only call,plugin-call,pipeline,load,discovery,probes   run some groups only
#            --skip-build                                             use what is built
# The native build folder is $NPLUG_BUILD_DIR (default build/native), as everywhere in the repository.
# Measurements run pinned to one CPU (taskset) and, when allowed, at a raised priority (nice -n $NPLUG_BENCH_NICE,
# default -10; NPLUG_BENCH_NICE=0 turns it off) so that other work on a shared machine disturbs them less.
#
# Steps: build (CMake: plugins, C host, the Google Benchmark harness, the benchmark-only plugins in every language, the
# discovery set; dotnet: the BenchmarkDotNet project), then per group the C harness and right after it the .NET
# suite (the two sides of a ratio minutes apart at most), then the cold-start and memory probes (fresh processes),
# then the report.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export NPLUG_BUILD_DIR="${NPLUG_BUILD_DIR:-$root/build/native}"
build="$NPLUG_BUILD_DIR"

quick=0
skip_build=0
groups="call plugin-call pipeline load discovery probes"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --skip-build) skip_build=1 ;;
    --only) shift; groups="${1//,/ }" ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  out="$root/benchmarks/results/tmp/quick"
  reps=3; probe_runs=1; bdn_quick=--quick
else
  out="$root/benchmarks/results"
  reps=15; probe_runs=5; bdn_quick=
fi
raw="$out/raw"
bench_dll="$root/benchmarks/NativePlugins.Benchmarks/bin/Release/net10.0/NativePlugins.Benchmarks.dll"
harness="$build/bin/np_bench_native"

step() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Pin every measured process to the last CPU, and raise its priority when allowed.
run_measured=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then
  run_measured+=(taskset -c "$(( $(nproc) - 1 ))")
fi
nice_level="${NPLUG_BENCH_NICE:--10}"
if [ "$nice_level" != 0 ] && nice -n "$nice_level" true 2>/dev/null; then
  run_measured+=(nice -n "$nice_level")
fi
started=$(date +%s)

if [ "$skip_build" = 0 ]; then
  step "native build (CMake, $build)"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DNP_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build" --parallel 2
  step "benchmark-only plugins (C SDK, Rust, C# NativeAOT + hosted) and the discovery set"
  # A language whose toolchain is missing is reported as "not built" in the table; it does not stop the run.
  cmake --build "$build" --target np_bench_language_plugins || echo "run.sh: some benchmark plugins did not build; their rows will say 'not built'" >&2
  cmake --build "$build" --target np_bench_discovery_set
  step ".NET benchmarks (dotnet build -c Release)"
  dotnet build benchmarks/NativePlugins.Benchmarks/NativePlugins.Benchmarks.csproj -c Release -nologo -v:quiet \
    -p:NplugSkipNativeBuild=true
fi
[ -x "$harness" ] || { echo "run.sh: $harness is missing (Google Benchmark or np_c_host not available?)" >&2; exit 1; }
[ -f "$bench_dll" ] || { echo "run.sh: $bench_dll is missing; run without --skip-build" >&2; exit 1; }

rm -rf "$raw"
mkdir -p "$raw"
{
  echo "run started=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "gcc=$(gcc -dumpfullversion 2>/dev/null || echo '?')"
  echo "kernel=$(uname -r)"
  echo "dotnet SDK=$(dotnet --version)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "load average at start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "measured with=${run_measured[*]:-no pinning, default priority}"
} > "$raw/environment.txt"

failed=()

# Google Benchmark: medians of $reps repetitions; time budget per repetition pinned per group.
native() { # group filter min_time
  local group=$1 filter=$2 min_time=$3
  [ "$quick" = 1 ] && min_time=0.05
  step "C host: $group (np_bench_native)"
  "${run_measured[@]}" "$harness" --benchmark_filter="$filter" --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
    --benchmark_min_time="$min_time" --benchmark_out="$raw/native-$group.json" --benchmark_out_format=json \
    || failed+=("native $group")
}

dotnet_group() { # group
  step ".NET host: $1 (BenchmarkDotNet)"
  "${run_measured[@]}" dotnet "$bench_dll" bdn "$1" $bdn_quick --artifacts "$raw/bdn-$1" || failed+=("bdn $1")
}

for group in $groups; do
  case "$group" in
    call)        native call '^call/' 0.2; dotnet_group call ;;
    plugin-call) native plugin-call '^plugin_call/' 0.1; dotnet_group plugin-call ;;
    pipeline)    native pipeline '^pipeline/' 0.2; dotnet_group pipeline ;;
    load)        native load '^load/' 0.1; dotnet_group load ;;
    discovery)   native discovery '^discovery/' 0.2; dotnet_group discovery ;;
    probes)
      step "cold start and resident memory (fresh child processes, $probe_runs per plugin)"
      "${run_measured[@]}" dotnet "$bench_dll" probes --out "$raw/probes.json" --runs "$probe_runs" || failed+=("probes") ;;
    *) echo "run.sh: unknown group $group" >&2; exit 2 ;;
  esac
done

step "report"
quick_flag=; [ "$quick" = 1 ] && quick_flag=--quick
dotnet "$bench_dll" report --raw "$raw" --out "$out" $quick_flag
echo "run.sh: finished in $(( $(date +%s) - started )) s; $out/summary.md, $out/summary.json, raw results in $raw"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
