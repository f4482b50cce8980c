/*
 * plugin_calls.cc - cost of one plugin call per plugin language in the C host, for every row of
 * benchmarks/plugin-targets.tsv whose library is built (the .NET side times the same rows):
 *   plugin_call/process/<key>   nph_instance_process of a one-record batch (emitter cleared each time)
 *   plugin_call/stats/<key>     nph_instance_stats, when the plugin offers stats
 */
#include <benchmark/benchmark.h>

#include "bench_env.h"

namespace {

/* Opened per benchmark run and closed after it, so that the load benchmarks find the library unloaded. */
struct call_target {
    nph_host_t *host;
    nph_instance_t *instance;
    nph_emitter_t input;
    nph_emitter_t output;

    explicit call_target(const bench::plugin_target &t) {
        host = bench::host_with(t.path);
        instance = bench::create_instance(host, t.plugin_id, t.config);
        if (nph_emitter_init(&input, 256, 4) != 0 || nph_emitter_init(&output, 4096, 64) != 0)
            bench::fail("out of memory");
        if (nph_emitter_append(&input, t.record.data(), t.record.size()) != NP_OK) bench::fail("out of memory");
    }
    ~call_target() {
        nph_instance_destroy(instance);
        nph_emitter_free(&input);
        nph_emitter_free(&output);
        nph_host_destroy(host);
    }
};

void BM_Process(benchmark::State &state, const bench::plugin_target &t) {
    call_target c(t);
    np_batch_t batch = nph_emitter_batch(&c.input);
    nph_diag_t diag;
    for (auto _ : state) {
        nph_emitter_clear(&c.output);
        if (nph_instance_process(c.instance, &batch, &c.output, &diag) != NPH_OK) bench::fail("process", &diag);
    }
}

void BM_Stats(benchmark::State &state, const bench::plugin_target &t) {
    call_target c(t);
    np_transform_stats_t s{};
    int64_t sum = 0;
    for (auto _ : state) sum += nph_instance_stats(c.instance, &s);
    benchmark::DoNotOptimize(sum);
}

/* Whether the plugin offers stats: asked once, at registration, with the library loaded only for the question. */
bool offers_stats(const bench::plugin_target &t) {
    call_target c(t);
    np_transform_stats_t probe{};
    return nph_instance_stats(c.instance, &probe) == 1;
}

} // namespace

void np_bench_register_plugin_calls() {
    for (const auto &t : bench::plugin_targets()) {
        if (!bench::file_exists(t.path)) continue; /* reported as "not built" */
        benchmark::RegisterBenchmark(("plugin_call/process/" + t.key).c_str(), BM_Process, t)
            ->UseRealTime()
            ->Apply(bench::with_min);
        if (offers_stats(t))
            benchmark::RegisterBenchmark(("plugin_call/stats/" + t.key).c_str(), BM_Stats, t)
                ->UseRealTime()
                ->Apply(bench::with_min);
    }
}
