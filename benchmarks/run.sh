#!/usr/bin/env bash
# Runs every benchmark of NativePlugins and prints ONE comparison table: the .NET host next to the C host, as ratios
# measured in the same run (benchmarks/README.md).
#
#   bash benchmarks/run.sh            full run (about 11 minutes on a 2-core machine once built); results in
#                                     benchmarks/results/{summary.md,summary.json} (committed) and raw/ (local only,
#                                     git-ignored: BenchmarkDotNet and Google Benchmark output is not source).
#                                     Refuses a work tree with uncommitted changes: the committed summary is always
#                                     measured from a clean commit, which it names.
#   bash benchmarks/run.sh --quick    smoke test (a couple of minutes): short runs, results in benchmarks/results/tmp/quick/
#   options: --only call,plugin-call,pipeline,peers,isolation,load,discovery,probes,lifecycle
#                                                                     re-measure some groups only: the raw results of
#                                                                     the other groups are kept, and the summary is
#                                                                     rebuilt from all of them (each group says when
#                                                                     it was measured)
#            --skip-build                                             use what is built
#            --allow-dirty                                            measure a work tree with local changes anyway;
#                                                                     results then go to benchmarks/results/tmp/dirty/
# The native build folder is $NPLUG_BUILD_DIR (default build/native), as everywhere in the repository.
# Measurements run pinned to one CPU (taskset) and, when allowed, at a raised priority (nice -n $NPLUG_BENCH_NICE,
# default -10; NPLUG_BENCH_NICE=0 turns it off) so that other work on a shared machine disturbs them less. An isolated
# host is two processes: its worker inherits the pin (column "same CPU"), and the peers and isolation groups also
# measure it with the worker moved to another CPU ("own CPU"; benchmarks/README.md).
#
# Steps: build (CMake: plugins, C host, the Google Benchmark harness, the benchmark-only plugins in every language, the
# discovery set; dotnet: the BenchmarkDotNet project), then per group the C harness and the .NET suite in alternating
# rounds (C, .NET, .NET, C, ... for the per-call and throughput groups, so that both sides of a ratio sample the same
# stretch of machine time), then the cold-start and memory probes (fresh processes), then the report.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export NPLUG_BUILD_DIR="${NPLUG_BUILD_DIR:-$root/build/native}"
build="$NPLUG_BUILD_DIR"

quick=0
skip_build=0
only=0
allow_dirty=0
groups="call plugin-call pipeline peers isolation load discovery probes lifecycle"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --skip-build) skip_build=1 ;;
    --allow-dirty) allow_dirty=1 ;;
    --only) shift; groups="${1//,/ }"; only=1 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# The per-call, throughput and load groups (ratios near their targets that must be trusted to a few percent) alternate the two sides
# in $rounds rounds of $round_reps samples of about 20 ms each (Google Benchmark repetitions of min_time 0.02 s;
# BenchmarkDotNet iterations of 20 ms, benchmarks/NativePlugins.Benchmarks/Infrastructure/BenchGroups.cs), and each
# side's figure is the best sample of all rounds. Short samples because the figure is a minimum: on a shared CPU a
# 200 ms sample almost never runs undisturbed, a 20 ms one often does (3 x 40 x 20 ms: less time per benchmark
# than the former 15 x 0.2 s, to keep the full run near 11 minutes).
# Load samples are single loads (BenchmarkDotNet: one invocation per iteration, the unload outside the clock).
# Discovery (whole folders, milliseconds) keeps one round of 15 repetitions.
if [ "$quick" = 1 ]; then
  out="$root/benchmarks/results/tmp/quick"
  reps=3; rounds=1; round_reps=5; sample_s=0.01; probe_runs=1; bdn_quick=--quick
  lifecycle_cycles=1000; lifecycle_reloads=100
else
  out="$root/benchmarks/results"
  if ! git diff --quiet HEAD 2>/dev/null || [ -n "$(git status --porcelain --untracked-files=normal 2>/dev/null | grep -v '^?? benchmarks/results/' || true)" ]; then
    if [ "$allow_dirty" = 0 ]; then
      echo "run.sh: the work tree has uncommitted changes; the committed summary is measured from a clean commit." >&2
      echo "run.sh: commit first, or pass --allow-dirty to measure anyway into benchmarks/results/tmp/dirty/." >&2
      exit 2
    fi
    out="$root/benchmarks/results/tmp/dirty"
  fi
  reps=15; rounds=3; round_reps=40; sample_s=0.02; probe_runs=5; bdn_quick=
  lifecycle_cycles=10000; lifecycle_reloads=1000
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
  # The peers group's Wasm module (benchmarks/peers/README.md); without the wasm toolchain its column says "not built".
  cmake --build "$build" --target np_bench_wasm_peer || echo "run.sh: the Wasm peer did not build; its column will say 'not built'" >&2
  step ".NET benchmarks (dotnet build -c Release)"
  dotnet build benchmarks/NativePlugins.Benchmarks/NativePlugins.Benchmarks.csproj -c Release -nologo -v:quiet \
    -p:NplugSkipNativeBuild=true
fi
[ -x "$harness" ] || { echo "run.sh: $harness is missing (Google Benchmark or np_c_host not available?)" >&2; exit 1; }
[ -f "$bench_dll" ] || { echo "run.sh: $bench_dll is missing; run without --skip-build" >&2; exit 1; }

# A full run replaces every raw result; --only replaces those of the groups it re-measures and keeps the others, so
# that one group can be re-measured without a full run (each group records when and how it was measured).
if [ "$only" = 0 ]; then rm -rf "$raw"; fi
mkdir -p "$raw"
# Machine facts (the same for every group; rewritten by every run).
{
  echo "gcc=$(gcc -dumpfullversion 2>/dev/null || echo '?')"
  echo "kernel=$(uname -r)"
  echo "dotnet SDK=$(dotnet --version)"
} > "$raw/environment.txt"
# The machine each group is measured on (recorded per group: groups can be re-measured later, elsewhere).
machine="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, kernel $(uname -r)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"

# CoreCLR multiplies the tiering delay (call counting starts after 100 ms without new Tier-0 JIT activity) by 10
# when the process is affinitized to a single CPU (TC_DelaySingleProcMultiplier), which taskset does. BenchmarkDotNet
# 0.14 does not wait for tier-up, so with the multiplier some benchmark methods (and host code) ran their first
# measured iterations, or all of them, as Tier-0 code. Multiplier 1 gives the pinned process the tiering schedule it
# has on any multi-core machine; nothing else changes (Tier-1 code, dynamic PGO on, as in a long-running app).
# The JIT's one-line-per-method summary goes to jit.txt next to each BenchmarkDotNet report: the report checks that
# every measured benchmark method reached Tier 1.
export DOTNET_TC_DelaySingleProcMultiplier=1

failed=()

# One group's record: when it was measured, from which commit, how, and under what load.
group_meta() { # group started rounds
  {
    echo "group=$1"
    echo "started=$2"
    echo "finished=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "rounds=$3"
    echo "commit=$commit"
    echo "load average at start=$4"
    echo "machine=$machine"
    echo "measured with=${run_measured[*]:-no pinning, default priority}"
  } > "$raw/group-$1.txt"
}

# Google Benchmark: best (min aggregate) of the repetitions; time budget per repetition pinned per group.
native() { # group filter min_time repetitions out-suffix
  local group=$1 filter=$2 min_time=$3 n=$4 suffix=$5
  [ "$quick" = 1 ] && [ -z "$suffix" ] && min_time=0.05
  step "C host: $group$suffix (np_bench_native)"
  "${run_measured[@]}" "$harness" --benchmark_filter="$filter" --benchmark_repetitions="$n" --benchmark_report_aggregates_only=true \
    --benchmark_min_time="$min_time" --benchmark_out="$raw/native-$group$suffix.json" --benchmark_out_format=json \
    || failed+=("native $group$suffix")
}

dotnet_group() { # group iterations artifacts-subdir
  local dir="$raw/bdn-$1${3:+/$3}"
  step ".NET host: $1${3:+ $3} (BenchmarkDotNet)"
  mkdir -p "$dir"
  DOTNET_JitStdOutFile="$dir/jit.txt" DOTNET_JitDisasmSummary=1 \
    "${run_measured[@]}" dotnet "$bench_dll" bdn "$1" $bdn_quick ${2:+--iterations "$2"} --artifacts "$dir" || failed+=("bdn $1${3:+ $3}")
}

# The per-call and throughput groups: the two sides in alternating order (C .NET, .NET C, C .NET, ...) so that
# slow drifts of the machine's load hit both about equally.
alternating() { # group filter
  local r
  for (( r = 1; r <= rounds; r++ )); do
    if (( r % 2 == 1 )); then
      native "$1" "$2" "$sample_s" "$round_reps" ".r$r"; dotnet_group "$1" "$round_reps" "r$r"
    else
      dotnet_group "$1" "$round_reps" "r$r"; native "$1" "$2" "$sample_s" "$round_reps" ".r$r"
    fi
  done
}

for group in $groups; do
  case "$group" in
    call|plugin-call|pipeline|peers|isolation|load|discovery|probes|lifecycle) ;;
    *) echo "run.sh: unknown group $group" >&2; exit 2 ;;
  esac
  # This group's previous results go; the other groups' stay.
  rm -rf "$raw/native-$group".*json "$raw/native-$group.json" "$raw/bdn-$group" "$raw/group-$group.txt"
  [ "$group" = probes ] && rm -f "$raw/probes.json"
  [ "$group" = peers ] && rm -f "$raw/peers-probes.json"
  [ "$group" = lifecycle ] && rm -f "$raw/lifecycle.json"
  group_started=$(date -u '+%Y-%m-%d %H:%M UTC')
  group_load=$(cut -d' ' -f1-3 /proc/loadavg)
  group_rounds=$rounds
  case "$group" in
    call)        alternating call '^call/' ;;
    plugin-call) alternating plugin-call '^plugin_call/' ;;
    pipeline)    alternating pipeline '^pipeline/' ;;
    peers) # .NET only (every system runs in one BenchmarkDotNet process), in rounds as the throughput group; then
           # cold start and memory of each system in fresh processes
      for (( r = 1; r <= rounds; r++ )); do dotnet_group peers "$round_reps" "r$r"; done
      step "peers: cold start and resident memory (fresh child processes, $probe_runs per system)"
      "${run_measured[@]}" dotnet "$bench_dll" peer-probes --out "$raw/peers-probes.json" --runs "$probe_runs" || failed+=("peer-probes") ;;
    isolation)   alternating isolation '^isolation/' ;; # C: the two-process ping-pong floor; .NET: the worker's round trip, start, restart
    load)        alternating load '^load/' ;; # 20-40 us per load: short samples and rounds, as for the calls
    discovery)   group_rounds=1; native discovery '^discovery/' 0.2 "$reps" ""; dotnet_group discovery ;;
    probes)
      group_rounds=1
      step "cold start and resident memory (fresh child processes, $probe_runs per plugin)"
      "${run_measured[@]}" dotnet "$bench_dll" probes --out "$raw/probes.json" --runs "$probe_runs" || failed+=("probes") ;;
    lifecycle)
      # Issue 15's counts: 10,000 load/unload cycles and 1,000 hot reloads of a C library (a tenth in --quick).
      group_rounds=1
      step "lifecycle soak: load/unload cycles and hot reloads, RSS / fds / mappings before and after"
      "${run_measured[@]}" dotnet "$bench_dll" lifecycle --out "$raw/lifecycle.json" \
        --cycles "$lifecycle_cycles" --reloads "$lifecycle_reloads" || failed+=("lifecycle") ;;
  esac
  group_meta "$group" "$group_started" "$group_rounds" "$group_load"
done

step "report"
quick_flag=; [ "$quick" = 1 ] && quick_flag=--quick
dotnet "$bench_dll" report --raw "$raw" --out "$out" $quick_flag
echo "run.sh: finished in $(( $(date +%s) - started )) s; $out/summary.md, $out/summary.json, raw results in $raw"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
