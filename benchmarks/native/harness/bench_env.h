/*
 * bench_env.h - what the C-host harness shares: where the native build is, the plugin targets file, and helpers
 * to reach plugin vtables through np_c_host.
 */
#ifndef NP_BENCH_ENV_H
#define NP_BENCH_ENV_H

#include <string>
#include <vector>

#include <benchmark/benchmark.h>

extern "C" {
#include <nplug_host/nph.h>
}

namespace bench {

/* NPLUG_BUILD_DIR, else the build folder this harness was compiled in. */
const std::string &build_dir();
std::string bench_plugin_path();
std::string discovery_dir(int count);

/* One row of benchmarks/plugin-targets.tsv: the plugin timed per language. */
struct plugin_target {
    std::string key;      /* "c", "rust", "cs-aot", "cs-hosted", "bench" */
    std::string language; /* display name */
    std::string path;     /* absolute */
    std::string plugin_id;
    std::string config;
    std::string record;
};
const std::vector<plugin_target> &plugin_targets();
bool file_exists(const std::string &path);

/* A host with the library loaded; aborts the benchmark binary with the host's diagnostic on failure (a benchmark
 * that cannot set up has nothing to report). */
nph_host_t *host_with(const std::string &path, nph_library_t **library = nullptr);
nph_transform_t find_transform(nph_host_t *host, const std::string &plugin_id);
nph_instance_t *create_instance(nph_host_t *host, const std::string &plugin_id, const std::string &config);
/* The vtable of interface_id in plugin_id of a loaded library (np_c_host resolves only np.transform/1). */
const void *find_interface(nph_library_t *library, const std::string &plugin_id, const std::string &interface_id);
/* A bare np_host_t for instances created straight through a vtable (malloc-backed, log ignored). */
const np_host_t *minimal_host_table();

[[noreturn]] void fail(const std::string &what, const nph_diag_t *diag = nullptr);

/* Adds the "min" aggregate (the best repetition) next to mean/median/stddev: interference on a shared machine only
 * ever adds time, so the report compares best times on both sides (BenchmarkDotNet's Min). */
void with_min(benchmark::internal::Benchmark *b);

} // namespace bench

#endif /* NP_BENCH_ENV_H */
