/*
 * calls.cc - per-call cost in the C host: np.bench/1 increment and np_transform_v1_t.stats ([leaf]), 1,024 calls per
 * iteration, 8 per loop turn, the function pointer held in a local: the same loop shape as
 * benchmarks/NativePlugins.Benchmarks/CallCost/ (TrivialCall, Stats), so that the two sides differ only in the caller.
 */
#include <benchmark/benchmark.h>

#include "bench_env.h"

extern "C" {
#include "np_bench.h"
}

namespace {

constexpr int kCalls = 1024;
const char *const kTrivial = "org.nativeplugins.bench.trivial";
const char *const kCount = "org.nativeplugins.bench.count";

struct call_fixture {
    nph_host_t *host;
    nph_library_t *library;
    const np_bench_v1_t *bench;
    nph_transform_t count;
    np_instance_t *raw_instance;   /* created straight through the vtable */
    nph_instance_t *host_instance; /* created through np_c_host */

    call_fixture() {
        host = bench::host_with(bench::bench_plugin_path(), &library);
        bench = static_cast<const np_bench_v1_t *>(bench::find_interface(library, kTrivial, NP_BENCH_ID));
        count = bench::find_transform(host, kCount);
        raw_instance = nullptr;
        if (count.create(bench::minimal_host_table(), np_str_t{nullptr, 0}, &raw_instance, nullptr) != NP_OK)
            bench::fail("create of the count transform failed");
        host_instance = bench::create_instance(host, kCount, "");
    }
};

call_fixture &fixture() {
    static call_fixture f; // never torn down: the process ends right after the benchmarks
    return f;
}

void BM_Increment(benchmark::State &state) {
    auto f = fixture().bench->increment;
    uint64_t x = 0;
    for (auto _ : state) {
        for (int i = 0; i < kCalls / 8; i++) {
            x = f(x);
            x = f(x);
            x = f(x);
            x = f(x);
            x = f(x);
            x = f(x);
            x = f(x);
            x = f(x);
        }
        benchmark::DoNotOptimize(x);
    }
    state.SetItemsProcessed(state.iterations() * kCalls);
}

void BM_Stats(benchmark::State &state) {
    auto f = fixture().count.stats;
    np_instance_t *inst = fixture().raw_instance;
    np_transform_stats_t s{};
    s.struct_size = sizeof s;
    uint64_t sum = 0;
    for (auto _ : state) {
        for (int i = 0; i < kCalls / 8; i++) {
            sum += (uint64_t)f(inst, &s);
            sum += (uint64_t)f(inst, &s);
            sum += (uint64_t)f(inst, &s);
            sum += (uint64_t)f(inst, &s);
            sum += (uint64_t)f(inst, &s);
            sum += (uint64_t)f(inst, &s);
            sum += (uint64_t)f(inst, &s);
            sum += (uint64_t)f(inst, &s);
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * kCalls);
}

/* The C host library's API around the same call (np_c_host's nph_instance_stats). */
void BM_StatsHostApi(benchmark::State &state) {
    nph_instance_t *inst = fixture().host_instance;
    np_transform_stats_t s{};
    uint64_t sum = 0;
    for (auto _ : state) {
        for (int i = 0; i < kCalls / 8; i++) {
            sum += (uint64_t)nph_instance_stats(inst, &s);
            sum += (uint64_t)nph_instance_stats(inst, &s);
            sum += (uint64_t)nph_instance_stats(inst, &s);
            sum += (uint64_t)nph_instance_stats(inst, &s);
            sum += (uint64_t)nph_instance_stats(inst, &s);
            sum += (uint64_t)nph_instance_stats(inst, &s);
            sum += (uint64_t)nph_instance_stats(inst, &s);
            sum += (uint64_t)nph_instance_stats(inst, &s);
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * kCalls);
}

} // namespace

/* Wall time, like BenchmarkDotNet: on a busy machine CPU time would hide the preemptions the .NET side pays. */
BENCHMARK(BM_Increment)->Name("call/increment")->UseRealTime()->Apply(bench::with_min);
BENCHMARK(BM_Stats)->Name("call/stats")->UseRealTime()->Apply(bench::with_min);
BENCHMARK(BM_StatsHostApi)->Name("call/stats_host_api")->UseRealTime()->Apply(bench::with_min);
