/*
 * nph_guard.c - guard bytes after the buffers the host hands to plugins (the .NET host's OverrunGuard, the same
 * rule: interop/README.md, rules P5 and P10).
 *
 * A plugin that writes past the error buffer or past the emitter's capacity would otherwise corrupt this process's
 * heap or stack, and glibc would abort later, far from the cause. NPH_GUARD_BYTES after each such buffer hold a
 * value that is random per process and has no zero byte (a stray terminating NUL always shows); the host checks
 * them after every call, before it reads, grows or frees the buffer, and reports a protocol violation. A canary,
 * not a guard page: the common overrun is a few bytes, and a page per buffer would cost an mprotect per growth.
 */
#define _GNU_SOURCE /* getrandom, clock_gettime under -std=c11 */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "nph_internal.h"

static uint64_t nph_guard_value;

/* Before main and before any host exists: no lock needed on the read side. */
__attribute__((constructor)) static void nph_guard_seed(void) {
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        v = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&v;
    }
    nph_guard_value = v | 0x0101010101010101ull;
}

void nph_guard_write(void *at) {
    memcpy(at, &nph_guard_value, 8);
    memcpy((uint8_t *)at + 8, &nph_guard_value, 8);
}

int nph_guard_intact(const void *at) {
    uint64_t a, b;
    memcpy(&a, at, 8);
    memcpy(&b, (const uint8_t *)at + 8, 8);
    return ((a ^ nph_guard_value) | (b ^ nph_guard_value)) == 0;
}
