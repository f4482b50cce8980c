/*
 * bench_plugin_common.h - what every benchmark-only plugin library shares: the np_entry negotiation (rule P1), the
 * error-message writer (rule P5) and the np.bench/1 functions.
 *
 * The benchmark plugins are written against the raw header, not the C SDK, so that what the benchmarks time is the
 * ABI call and a known, minimal body, and so that the benchmarks build on their own.
 */
#ifndef NP_BENCH_PLUGIN_COMMON_H
#define NP_BENCH_PLUGIN_COMMON_H

#include <stddef.h>
#include <string.h>

#include <nplug/nplug.h>

#include "np_bench.h"

#define BENCH_STR(literal)                                                                                             \
    { (const uint8_t *)(literal), sizeof(literal) - 1 }

/* The layout report is generated into np_layout.g.h by interop/generator; until it is, the library hands over none
 * (the negotiation allows NULL) and the host can only compare fingerprints. */
#ifdef NP_DEFINE_LAYOUT_REPORT
NP_DEFINE_LAYOUT_REPORT(bench_layout_report);
#define BENCH_LAYOUT_REPORT (&bench_layout_report)
#else
#define BENCH_LAYOUT_REPORT NULL
#endif

/* Rule P1: always write our versions; refuse another major; agree on min(host minor, ours). */
static inline np_status bench_negotiate(np_negotiation_t *negotiation, const np_library_t **out_library,
                                        const np_library_t *library) {
    if (negotiation == NULL || out_library == NULL ||
        negotiation->struct_size < offsetof(np_negotiation_t, layout_report) + sizeof(negotiation->layout_report)) {
        return NP_ERR_INVALID_ARGUMENT;
    }
    negotiation->library_abi_major = NP_ABI_MAJOR;
    negotiation->library_abi_minor = NP_ABI_MINOR;
    if (negotiation->abi_major != NP_ABI_MAJOR) {
        return NP_ERR_VERSION;
    }
    uint32_t minor = negotiation->abi_minor < NP_ABI_MINOR ? negotiation->abi_minor : NP_ABI_MINOR;
    negotiation->abi_minor = minor;
    /* The header's own table of fingerprints per minor: a new minor cannot be forgotten here. */
    negotiation->layout_fingerprint = NP_LAYOUT_FINGERPRINT_FOR_MINOR(minor);
    negotiation->layout_report = BENCH_LAYOUT_REPORT;
    *out_library = library;
    return NP_OK;
}

/* Rule P5: an ASCII message, truncated to the caller's capacity. */
static inline np_status bench_fail(np_error_t *error, np_status status, const char *message) {
    if (error != NULL && error->message != NULL && error->capacity > 0) {
        size_t len = strlen(message);
        if (len > error->capacity) {
            len = (size_t)error->capacity;
        }
        memcpy(error->message, message, len);
        error->len = len;
        error->code = 0;
    }
    return status;
}

/* init/deinit ref-count (rule P3); the benchmark plugins keep no global state besides the count. */
static int bench_init_count;
static np_status NP_CDECL bench_init(const np_host_t *host, np_error_t *error) {
    if (host == NULL) {
        return bench_fail(error, NP_ERR_INVALID_ARGUMENT, "init: host table is NULL");
    }
    bench_init_count++;
    return NP_OK;
}
static void NP_CDECL bench_deinit(void) {
    if (bench_init_count > 0) {
        bench_init_count--;
    }
}

/* np.bench/1 */
static uint64_t NP_CDECL bench_increment(uint64_t value) { return value + 1; }
static void NP_CDECL bench_noop(void) {}

static const np_bench_v1_t bench_vtable = {
    sizeof(np_bench_v1_t),
    0,
    bench_increment,
    bench_noop,
};

#endif /* NP_BENCH_PLUGIN_COMMON_H */
