/*
 * loading.cc - load time and discovery in the C host. Only the load is timed (manual time); unloading happens
 * outside the clock, so every iteration really maps the file again.
 * <key> is a row of benchmarks/plugin-targets.tsv whose library unmaps when unloaded.
 *   load/dlopen/<key>      dlopen(RTLD_LAZY) alone, the floor (what NativeLibrary.Load does)
 *   load/c_host/<key>      nph_host_load: dlopen + np_entry negotiation + validation + init
 *   discovery/dlopen/<n>   list a folder of n distinct plugin libraries and dlopen each
 *   discovery/c_host/<n>   list it and nph_host_load each
 */
#include <benchmark/benchmark.h>

#include <chrono>
#include <dirent.h>
#include <dlfcn.h>
#include <fstream>
#include <string>
#include <vector>

#include "bench_env.h"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

nph_host_t *quiet_host() {
    nph_host_options_t options;
    nph_host_options_init(&options);
    options.min_log_level = NP_LOG_ERROR;
    nph_host_t *host = nph_host_create(&options);
    if (host == nullptr) bench::fail("nph_host_create: out of memory");
    return host;
}

bool is_mapped(const std::string &path) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.size() >= path.size() && line.compare(line.size() - path.size(), path.size(), path) == 0) return true;
    return false;
}

/* A library still mapped (kept loaded by an earlier benchmark in this process) would make every "load" a reference
 * count bump: refuse to time that. run.sh runs each group in its own process. */
bool refuse_if_mapped(benchmark::State &state, const std::string &path) {
    if (!is_mapped(path)) return false;
    state.SkipWithError(("still mapped, loads would not be real: " + path).c_str());
    return true;
}

void BM_LoadDlopen(benchmark::State &state, std::string path) {
    if (refuse_if_mapped(state, path)) return;
    for (auto _ : state) {
        auto start = clock_type::now();
        void *handle = dlopen(path.c_str(), RTLD_LAZY);
        state.SetIterationTime(seconds_since(start));
        if (handle == nullptr) bench::fail(std::string("dlopen: ") + dlerror());
        dlclose(handle);
    }
}

void BM_LoadCHost(benchmark::State &state, std::string path) {
    if (refuse_if_mapped(state, path)) return;
    nph_host_t *host = quiet_host();
    nph_diag_t diag;
    for (auto _ : state) {
        nph_library_t *library = nullptr;
        auto start = clock_type::now();
        nph_error_t err = nph_host_load(host, path.c_str(), &library, &diag);
        state.SetIterationTime(seconds_since(start));
        if (err != NPH_OK) bench::fail("cannot load " + path, &diag);
        if (nph_host_unload(host, library, &diag) != NPH_OK) bench::fail("cannot unload " + path, &diag);
    }
    nph_host_destroy(host);
}

/* Listing is part of discovery, so it is inside the clock on both sides. */
std::vector<std::string> list_libraries(const std::string &dir) {
    std::vector<std::string> files;
    DIR *d = opendir(dir.c_str());
    if (d == nullptr) bench::fail("cannot open " + dir);
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0) files.push_back(dir + "/" + name);
    }
    closedir(d);
    return files;
}

void BM_DiscoveryDlopen(benchmark::State &state) {
    const std::string dir = bench::discovery_dir((int)state.range(0));
    std::vector<void *> handles;
    for (auto _ : state) {
        auto start = clock_type::now();
        for (const auto &file : list_libraries(dir)) {
            void *h = dlopen(file.c_str(), RTLD_LAZY);
            if (h == nullptr) bench::fail(std::string("dlopen: ") + dlerror());
            handles.push_back(h);
        }
        state.SetIterationTime(seconds_since(start));
        if (handles.size() != (size_t)state.range(0)) bench::fail("unexpected number of libraries in " + dir);
        for (void *h : handles) dlclose(h);
        handles.clear();
    }
}

void BM_DiscoveryCHost(benchmark::State &state) {
    const std::string dir = bench::discovery_dir((int)state.range(0));
    nph_diag_t diag;
    for (auto _ : state) {
        nph_host_t *host = quiet_host();
        auto start = clock_type::now();
        for (const auto &file : list_libraries(dir)) {
            nph_library_t *library = nullptr;
            if (nph_host_load(host, file.c_str(), &library, &diag) != NPH_OK) bench::fail("cannot load " + file, &diag);
        }
        state.SetIterationTime(seconds_since(start));
        if (nph_host_library_count(host) != (size_t)state.range(0)) bench::fail("unexpected library count in " + dir);
        nph_host_destroy(host);
    }
}

/* Only libraries that really unmap when unloaded can be timed load after load (NativeAOT and hosted C# plugins stay
 * mapped by design, rule H6: a second load would only bump a reference count). */
bool unloads(const std::string &path) {
    nph_host_t *host = quiet_host();
    nph_library_t *library = nullptr;
    nph_diag_t diag;
    bool loaded = nph_host_load(host, path.c_str(), &library, &diag) == NPH_OK;
    nph_host_destroy(host);
    return loaded && !is_mapped(path);
}

void register_loading() {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto &t : bench::plugin_targets())
        if (bench::file_exists(t.path) && unloads(t.path)) files.emplace_back(t.key, t.path);
    for (const auto &[key, path] : files) {
        benchmark::RegisterBenchmark(("load/dlopen/" + key).c_str(), BM_LoadDlopen, path)
            ->UseManualTime()
            ->Apply(bench::with_min);
        benchmark::RegisterBenchmark(("load/c_host/" + key).c_str(), BM_LoadCHost, path)
            ->UseManualTime()
            ->Apply(bench::with_min);
    }
    for (int n : {10, 100, 1000}) {
        if (!bench::file_exists(bench::discovery_dir(n))) continue; /* run.sh builds the set; reported as not built */
        benchmark::RegisterBenchmark("discovery/dlopen", BM_DiscoveryDlopen)
            ->Arg(n)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Apply(bench::with_min);
        benchmark::RegisterBenchmark("discovery/c_host", BM_DiscoveryCHost)
            ->Arg(n)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Apply(bench::with_min);
    }
}

} // namespace

/* Registered from main (plugin-targets.tsv is read at run time). */
void np_bench_register_loading() { register_loading(); }
