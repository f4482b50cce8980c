/* bench_env.cc - see bench_env.h. */
#include "bench_env.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

#ifndef NP_BENCH_DEFAULT_BUILD_DIR
#error "NP_BENCH_DEFAULT_BUILD_DIR must name the CMake build folder"
#endif
#ifndef NP_BENCH_TARGETS_FILE
#error "NP_BENCH_TARGETS_FILE must name benchmarks/plugin-targets.tsv"
#endif

namespace bench {

const std::string &build_dir() {
    static const std::string dir = [] {
        const char *env = std::getenv("NPLUG_BUILD_DIR");
        return std::string(env != nullptr && *env != '\0' ? env : NP_BENCH_DEFAULT_BUILD_DIR);
    }();
    return dir;
}

std::string bench_plugin_path() { return build_dir() + "/bench/plugins/libnp_bench.so"; }

std::string discovery_dir(int count) { return build_dir() + "/bench/discovery/" + std::to_string(count); }

bool file_exists(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

static std::vector<std::string> split_tabs(const std::string &line) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
        size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return fields;
        start = tab + 1;
    }
}

const std::vector<plugin_target> &plugin_targets() {
    static const std::vector<plugin_target> targets = [] {
        std::vector<plugin_target> rows;
        const char *env = std::getenv("NPLUG_BENCH_TARGETS");
        std::ifstream in(env != nullptr && *env != '\0' ? env : NP_BENCH_TARGETS_FILE);
        if (!in) fail(std::string("cannot read the plugin targets file ") + NP_BENCH_TARGETS_FILE);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            auto f = split_tabs(line);
            if (f.size() != 6) fail("plugin-targets.tsv: expected 6 tab-separated fields in: " + line);
            rows.push_back({f[0], f[1], build_dir() + "/" + f[2], f[3], f[4], f[5]});
        }
        return rows;
    }();
    return targets;
}

static double min_of(const std::vector<double> &v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); }

void with_min(benchmark::internal::Benchmark *b) { b->ComputeStatistics("min", min_of); }

[[noreturn]] void fail(const std::string &what, const nph_diag_t *diag) {
    std::fprintf(stderr, "np_bench_native: %s%s%s\n", what.c_str(), diag != nullptr ? ": " : "",
                 diag != nullptr ? diag->message : "");
    std::exit(2);
}

nph_host_t *host_with(const std::string &path, nph_library_t **library) {
    nph_host_options_t options;
    nph_host_options_init(&options);
    options.min_log_level = NP_LOG_ERROR;
    nph_host_t *host = nph_host_create(&options);
    if (host == nullptr) fail("nph_host_create: out of memory");
    nph_library_t *lib = nullptr;
    nph_diag_t diag;
    if (nph_host_load(host, path.c_str(), &lib, &diag) != NPH_OK) fail("cannot load " + path, &diag);
    if (library != nullptr) *library = lib;
    return host;
}

nph_transform_t find_transform(nph_host_t *host, const std::string &plugin_id) {
    nph_transform_t transform;
    nph_diag_t diag;
    if (nph_host_find_transform(host, plugin_id.c_str(), &transform, &diag) != NPH_OK)
        fail("no transform " + plugin_id, &diag);
    return transform;
}

nph_instance_t *create_instance(nph_host_t *host, const std::string &plugin_id, const std::string &config) {
    nph_transform_t transform = find_transform(host, plugin_id);
    nph_instance_t *instance = nullptr;
    nph_diag_t diag;
    if (nph_instance_create(host, &transform, config.c_str(), &instance, &diag) != NPH_OK)
        fail("cannot create " + plugin_id, &diag);
    return instance;
}

static bool str_equals(np_str_t s, const std::string &text) {
    return s.len == text.size() && (s.len == 0 || std::memcmp(s.ptr, text.data(), text.size()) == 0);
}

const void *find_interface(nph_library_t *library, const std::string &plugin_id, const std::string &interface_id) {
    for (uint32_t p = 0; p < nph_library_plugin_count(library); p++) {
        const np_plugin_descriptor_t *plugin = nph_library_plugin(library, p);
        if (!str_equals(plugin->id, plugin_id)) continue;
        for (uint64_t i = 0; i < plugin->interface_count; i++)
            if (str_equals(plugin->interfaces[i].id, interface_id)) return plugin->interfaces[i].vtable;
    }
    fail("no interface " + interface_id + " in plugin " + plugin_id);
}

static void NP_CDECL minimal_log(const np_host_t *, int32_t, np_str_t) {}
static void *NP_CDECL minimal_alloc(const np_host_t *, uint64_t size, uint64_t align) {
    if (size == 0 || align == 0 || align > 4096 || (align & (align - 1)) != 0) return nullptr;
    if (align < sizeof(void *)) align = sizeof(void *);
    void *p = nullptr;
    return posix_memalign(&p, (size_t)align, (size_t)size) == 0 ? p : nullptr;
}
static void NP_CDECL minimal_free(const np_host_t *, void *ptr, uint64_t, uint64_t) { std::free(ptr); }
static const void *NP_CDECL minimal_get_extension(const np_host_t *, np_str_t) { return nullptr; }

const np_host_t *minimal_host_table() {
    static const np_host_t table = {
        sizeof(np_host_t),
        NP_ABI_MINOR,
        {(const uint8_t *)"np_bench_native", 15},
        {(const uint8_t *)"1", 1},
        nullptr,
        minimal_log,
        minimal_alloc,
        minimal_free,
        minimal_get_extension,
    };
    return &table;
}

} // namespace bench
