/*
 * probe.cc - one measurement per fresh process, the C-host twin of benchmarks/NativePlugins.Benchmarks/Probes/
 * ProbeChild.cs (the .NET runner starts both and joins the results):
 *   np_bench_native --probe cold <key>   load, create, first process, second process (ms)
 *   np_bench_native --probe rss <key>    VmRSS added by load, and by load + create + one batch (KiB)
 * The host library's own code is warmed first on the benchmark plugin, as on the .NET side. Prints one JSON object.
 */
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "bench_env.h"

namespace {

using clock_type = std::chrono::steady_clock;

double ms_between(clock_type::time_point a, clock_type::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

long rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    bench::fail("no VmRSS in /proc/self/status");
}

struct one_record {
    nph_emitter_t input, output;
    explicit one_record(const std::string &record) {
        if (nph_emitter_init(&input, 256, 4) != 0 || nph_emitter_init(&output, 4096, 64) != 0)
            bench::fail("out of memory");
        if (nph_emitter_append(&input, record.data(), record.size()) != NP_OK) bench::fail("out of memory");
    }
    ~one_record() {
        nph_emitter_free(&input);
        nph_emitter_free(&output);
    }
    void process(nph_instance_t *instance) {
        np_batch_t batch = nph_emitter_batch(&input);
        nph_diag_t diag;
        nph_emitter_clear(&output);
        if (nph_instance_process(instance, &batch, &output, &diag) != NPH_OK) bench::fail("process", &diag);
    }
};

void warm_host() {
    nph_host_t *host = bench::host_with(bench::bench_plugin_path());
    nph_instance_t *instance = bench::create_instance(host, "org.nativeplugins.bench.count", "");
    one_record("warm up").process(instance);
    nph_instance_destroy(instance);
    nph_host_destroy(host);
}

nph_host_t *quiet_host() {
    nph_host_options_t options;
    nph_host_options_init(&options);
    options.min_log_level = NP_LOG_ERROR;
    return nph_host_create(&options);
}

int cold(const bench::plugin_target &t) {
    nph_host_t *host = quiet_host();
    one_record io(t.record);
    nph_diag_t diag;
    nph_library_t *library = nullptr;
    auto t0 = clock_type::now();
    if (nph_host_load(host, t.path.c_str(), &library, &diag) != NPH_OK) bench::fail("cannot load " + t.path, &diag);
    auto t1 = clock_type::now();
    nph_instance_t *instance = bench::create_instance(host, t.plugin_id, t.config);
    auto t2 = clock_type::now();
    io.process(instance);
    auto t3 = clock_type::now();
    io.process(instance);
    auto t4 = clock_type::now();
    std::printf("{\"LoadMs\":%.6f,\"CreateMs\":%.6f,\"FirstProcessMs\":%.6f,\"TotalMs\":%.6f,\"WarmProcessMs\":%.6f}\n",
                ms_between(t0, t1), ms_between(t1, t2), ms_between(t2, t3), ms_between(t0, t3), ms_between(t3, t4));
    nph_instance_destroy(instance);
    nph_host_destroy(host);
    return 0;
}

int rss(const bench::plugin_target &t) {
    nph_host_t *host = quiet_host();
    one_record io(t.record);
    nph_diag_t diag;
    nph_library_t *library = nullptr;
    long before = rss_kib();
    if (nph_host_load(host, t.path.c_str(), &library, &diag) != NPH_OK) bench::fail("cannot load " + t.path, &diag);
    long loaded = rss_kib();
    nph_instance_t *instance = bench::create_instance(host, t.plugin_id, t.config);
    io.process(instance);
    long running = rss_kib();
    std::printf("{\"LoadKiB\":%ld,\"LoadCreateProcessKiB\":%ld}\n", loaded - before, running - before);
    nph_instance_destroy(instance);
    nph_host_destroy(host);
    return 0;
}

} // namespace

int np_bench_probe(const std::string &kind, const std::string &key) {
    for (const auto &t : bench::plugin_targets()) {
        if (t.key != key) continue;
        warm_host();
        if (kind == "cold") return cold(t);
        if (kind == "rss") return rss(t);
        bench::fail("unknown probe '" + kind + "' (cold, rss)");
    }
    bench::fail("no plugin target '" + key + "' in plugin-targets.tsv");
}
