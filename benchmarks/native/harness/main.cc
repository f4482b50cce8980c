/*
 * main.cc - np_bench_native, the C-host baseline of the benchmarks (benchmarks/README.md). Google Benchmark's own
 * flags apply (--benchmark_filter, --benchmark_format=json, --benchmark_repetitions, ...); benchmarks/run.sh runs it.
 * `np_bench_native --probe cold|rss <key>` makes one fresh-process measurement instead (probe.cc).
 * Benchmarks whose inputs depend on what is built (per-language plugins, the discovery set) are registered here at
 * run time; the fixed ones register themselves (calls.cc, pipeline.cc).
 */
#include <benchmark/benchmark.h>

#include <string>

#include "bench_env.h"

void np_bench_register_loading();
void np_bench_register_plugin_calls();
int np_bench_probe(const std::string &kind, const std::string &key);

int main(int argc, char **argv) {
    /* np_bench_native --probe cold|rss <key>: one fresh-process measurement (probe.cc), not a benchmark run. */
    if (argc == 4 && std::string(argv[1]) == "--probe") return np_bench_probe(argv[2], argv[3]);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("np_build_dir", bench::build_dir());
    np_bench_register_loading(); /* first: it checks which libraries unmap when unloaded */
    np_bench_register_plugin_calls();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
