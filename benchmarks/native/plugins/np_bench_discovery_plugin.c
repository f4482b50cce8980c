/*
 * np_bench_discovery_plugin.c - one tiny plugin library; compiled once per NP_BENCH_DISCOVERY_ID into the discovery
 * set (benchmarks/native/make-discovery-set.sh) so that the discovery benchmarks scan genuinely distinct libraries,
 * each with its own plugin id: org.nativeplugins.bench.discovery.p<NNNN>. It offers np.bench/1 only.
 */
#include "bench_plugin_common.h"

#ifndef NP_BENCH_DISCOVERY_ID
#error "compile with -DNP_BENCH_DISCOVERY_ID=<4 digits>"
#endif
#define BENCH_STRINGIFY2(x) #x
#define BENCH_STRINGIFY(x) BENCH_STRINGIFY2(x)
#define BENCH_DISCOVERY_PLUGIN_ID "org.nativeplugins.bench.discovery.p" BENCH_STRINGIFY(NP_BENCH_DISCOVERY_ID)

static const np_interface_t discovery_interfaces[] = {{BENCH_STR(NP_BENCH_ID), &bench_vtable}};

static const np_plugin_descriptor_t discovery_plugin = {
    sizeof(np_plugin_descriptor_t),
    NP_THREADING_SINGLE,
    BENCH_STR(BENCH_DISCOVERY_PLUGIN_ID),
    BENCH_STR("Bench discovery " BENCH_STRINGIFY(NP_BENCH_DISCOVERY_ID)),
    BENCH_STR("1.0.0"),
    BENCH_STR("one of the libraries the discovery benchmark scans"),
    BENCH_STR("NativePlugins benchmarks"),
    discovery_interfaces,
    1,
    NULL,
};

static const np_plugin_descriptor_t *const discovery_plugins[] = {&discovery_plugin};

static const np_library_t discovery_library = {
    sizeof(np_library_t), 1, BENCH_STR("nplug-bench/1.0.0"), discovery_plugins, bench_init, bench_deinit, 0,
};

NP_EXPORT np_status NP_CDECL np_entry(np_negotiation_t *negotiation, const np_library_t **out_library) {
    return bench_negotiate(negotiation, out_library, &discovery_library);
}
