/*
 * pipeline.cc - throughput of upper | grep pattern=#EVEN | count (the benchmark plugins) in the C host, per record
 * size and batch size, over the records of bench_records.h. Two C baselines:
 *   pipeline/c_host   np_c_host's pipeline (nph_pipeline_push: emitter checks, per-stage counters), the C
 *                     counterpart of the .NET host's Pipeline;
 *   pipeline/c_raw    three process calls straight through the vtables into np_c_host emitters, nothing else:
 *                     the fastest a C host can be.
 * Time is per batch; items_per_second is input records per second.
 */
#include <benchmark/benchmark.h>

#include <vector>

#include "bench_env.h"

extern "C" {
#include "bench_records.h"
}

namespace {

const char *const kStages[3][2] = {
    {"org.nativeplugins.bench.upper", ""},
    {"org.nativeplugins.bench.grep", "pattern=#EVEN"},
    {"org.nativeplugins.bench.count", ""},
};

nph_host_t *bench_host() {
    static nph_host_t *host = bench::host_with(bench::bench_plugin_path());
    return host;
}

struct input_batch {
    nph_emitter_t records;
    input_batch(uint64_t size, uint64_t count) {
        if (nph_emitter_init(&records, size * count, count) != 0) bench::fail("out of memory");
        std::vector<uint8_t> record(size);
        for (uint64_t i = 0; i < count; i++) {
            bench_record_fill(record.data(), size, i);
            if (nph_emitter_append(&records, record.data(), size) != NP_OK) bench::fail("out of memory");
        }
    }
    ~input_batch() { nph_emitter_free(&records); }
    np_batch_t batch() const { return nph_emitter_batch(&records); }
};

int count_sink(void *context, const np_batch_t *records) {
    *static_cast<uint64_t *>(context) += records->count;
    return 0;
}

void BM_PipelineCHost(benchmark::State &state) {
    const uint64_t size = (uint64_t)state.range(0), count = (uint64_t)state.range(1);
    input_batch input(size, count);
    np_batch_t batch = input.batch();
    nph_pipeline_t *pipeline = nph_pipeline_create(bench_host());
    nph_diag_t diag;
    for (auto &stage : kStages)
        if (nph_pipeline_add(pipeline, stage[0], stage[1], &diag) != NPH_OK) bench::fail("pipeline stage", &diag);
    uint64_t out = 0;
    if (nph_pipeline_push(pipeline, &batch, count_sink, &out, &diag) != NPH_OK) bench::fail("push", &diag);
    if (out != count / 2) bench::fail("the C host pipeline kept " + std::to_string(out) + " records");
    for (auto _ : state) {
        if (nph_pipeline_push(pipeline, &batch, count_sink, &out, &diag) != NPH_OK) bench::fail("push", &diag);
    }
    benchmark::DoNotOptimize(out);
    state.SetItemsProcessed(state.iterations() * (int64_t)count);
    nph_pipeline_destroy(pipeline);
}

void BM_PipelineCRaw(benchmark::State &state) {
    const uint64_t size = (uint64_t)state.range(0), count = (uint64_t)state.range(1);
    input_batch input(size, count);
    const np_batch_t batch = input.batch();
    nph_transform_t t[3];
    np_instance_t *inst[3];
    nph_emitter_t out[3];
    for (int s = 0; s < 3; s++) {
        t[s] = bench::find_transform(bench_host(), kStages[s][0]);
        np_str_t config{(const uint8_t *)kStages[s][1], std::char_traits<char>::length(kStages[s][1])};
        if (t[s].create(bench::minimal_host_table(), config, &inst[s], nullptr) != NP_OK) bench::fail("create");
        if (nph_emitter_init(&out[s], 64 * 1024, 1024) != 0) bench::fail("out of memory");
    }
    uint8_t message[256];
    auto run = [&]() {
        const np_batch_t *in = &batch;
        np_batch_t between[2];
        for (int s = 0; s < 3; s++) {
            np_error_t error{message, sizeof message, 0, 0, 0};
            nph_emitter_clear(&out[s]);
            if (t[s].process(inst[s], in, &out[s].em, &error) != NP_OK) bench::fail("process failed");
            if (s < 2) {
                between[s] = nph_emitter_batch(&out[s]);
                in = &between[s];
            }
        }
        return out[2].em.count;
    };
    if (run() != count / 2) bench::fail("the raw C pipeline kept the wrong number of records");
    uint64_t kept = 0;
    for (auto _ : state) kept += run();
    benchmark::DoNotOptimize(kept);
    state.SetItemsProcessed(state.iterations() * (int64_t)count);
    for (int s = 0; s < 3; s++) {
        t[s].destroy(inst[s]);
        nph_emitter_free(&out[s]);
    }
}

void Sizes(benchmark::internal::Benchmark *b) {
    for (int64_t size : {16, 128, 1024})
        for (int64_t batch : {64, 1024, 8192}) b->Args({size, batch});
}

} // namespace

BENCHMARK(BM_PipelineCHost)->Name("pipeline/c_host")->Apply(Sizes)->UseRealTime()->Apply(bench::with_min);
BENCHMARK(BM_PipelineCRaw)->Name("pipeline/c_raw")->Apply(Sizes)->UseRealTime()->Apply(bench::with_min);
