/*
 * np_bench.h - "np.bench/1", an interface that exists only for the benchmarks.
 *
 * It is NOT part of the NativePlugins ABI (interop/include/nplug): it is an extra interface a benchmark-only plugin
 * offers next to np.transform/1, found by id like any other (interop/README.md section 1, step 5), so that the
 * benchmarks can time the cheapest possible call through a plugin vtable. Hosts that do not know the id ignore it.
 *
 * The same struct is mirrored by hand in benchmarks/NativePlugins.Benchmarks/Abi/NpBenchV1.cs.
 */
#ifndef NP_BENCH_H
#define NP_BENCH_H

#include <nplug/nplug.h>

#define NP_BENCH_ID "np.bench/1"

typedef struct np_bench_v1 {
    uint32_t struct_size;
    uint32_t reserved; /* must be 0 */

    /* [thread-safe][leaf] Returns value + 1. Trivial on purpose: what is timed is the call, not the work. */
    uint64_t(NP_CDECL *increment)(uint64_t value);

    /* [thread-safe][leaf] Does nothing. */
    void(NP_CDECL *noop)(void);
} np_bench_v1_t;

#endif /* NP_BENCH_H */
