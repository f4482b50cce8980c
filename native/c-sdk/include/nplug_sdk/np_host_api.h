/*
 * np_host_api.h - calling the host's service table (np_host_t): logging and the host allocator.
 *
 * A plugin never links against the host; everything it needs from the host goes through the table it got at
 * init/create (SQLite's sqlite3_api_routines model). Memory from np_host_alloc must go back through
 * np_host_free of the same table with the same size and alignment (rule P4).
 * None of these may be called from a [leaf] function (rule P11).
 */
#ifndef NPLUG_SDK_HOST_API_H
#define NPLUG_SDK_HOST_API_H

#include <stdarg.h>
#include <stdio.h>

#include "np_utf8.h"

NP_SDK_BEGIN_DECLS

/* Longest formatted log line; longer ones are cut at a character boundary. */
#define NP_LOG_LINE_MAX 1024

/* The default alignment of np_host_alloc_zeroed: enough for any scalar type. */
#define NP_HOST_DEFAULT_ALIGN 16u

/* Log an np_str_t message. */
NP_SDK_INLINE void np_host_log_str(const np_host_t *host, int32_t level, np_str_t message) {
    if (host && host->log) host->log(host, level, message);
}

/* Log a printf-style message (formatted on the stack; nothing is allocated). */
NP_SDK_INLINE NP_SDK_PRINTF(3, 4) void np_host_log(const np_host_t *host, int32_t level, const char *fmt, ...) {
    if (!host || !host->log) return;
    char line[NP_LOG_LINE_MAX];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (n < 0) return;
    uint64_t len = (uint64_t)n < sizeof line ? (uint64_t)n : sizeof line - 1;
    np_str_t message;
    message.ptr = (const uint8_t *)line;
    message.len = np_utf8_repair((uint8_t *)line, len);
    host->log(host, level, message);
}

/* Allocate size bytes aligned to align (a power of two <= 4096) from the host. NULL on failure. */
NP_SDK_INLINE void *np_host_alloc(const np_host_t *host, uint64_t size, uint64_t align) {
    return host->alloc(host, size, align);
}

/* Allocate and zero size bytes with NP_HOST_DEFAULT_ALIGN. Free with np_host_free(host, p, size, NP_HOST_DEFAULT_ALIGN). */
NP_SDK_INLINE void *np_host_alloc_zeroed(const np_host_t *host, uint64_t size) {
    void *p = host->alloc(host, size, NP_HOST_DEFAULT_ALIGN);
    if (p && size) memset(p, 0, (size_t)size);
    return p;
}

/* Free memory from np_host_alloc; size and align must be those given to it. NULL is a no-op. */
NP_SDK_INLINE void np_host_free(const np_host_t *host, void *ptr, uint64_t size, uint64_t align) {
    if (ptr) host->free(host, ptr, size, align);
}

/* Grow (or shrink) a host allocation: allocate new_size bytes, copy min(old_size, new_size) bytes, free the
 * old block. The host API has no realloc on purpose (every allocator must implement it); this is the portable
 * equivalent. On failure returns NULL and leaves ptr untouched. */
NP_SDK_INLINE void *np_host_resize(const np_host_t *host, void *ptr, uint64_t old_size, uint64_t new_size,
                                   uint64_t align) {
    void *fresh = host->alloc(host, new_size, align);
    if (!fresh) return NULL;
    if (ptr) {
        uint64_t keep = old_size < new_size ? old_size : new_size;
        if (keep) memcpy(fresh, ptr, (size_t)keep);
        host->free(host, ptr, old_size, align);
    }
    return fresh;
}

/* Copy bytes into host memory (one extra NUL byte after them, so the copy is also a C string).
 * Free with np_host_free(host, copy, len + 1, 1). Returns NULL on failure. */
NP_SDK_INLINE uint8_t *np_host_copy_bytes(const np_host_t *host, const uint8_t *bytes, uint64_t len) {
    uint8_t *copy = (uint8_t *)host->alloc(host, len + 1, 1);
    if (!copy) return NULL;
    if (len) memcpy(copy, bytes, (size_t)len);
    copy[len] = 0;
    return copy;
}

/* Is the host table readable as an ABI 1.0 np_host_t with every function present? Returns a reason or NULL. */
NP_SDK_INLINE const char *np_host_check(const np_host_t *host) {
    if (!host) return "host table is NULL";
    if (host->struct_size < sizeof(np_host_t)) return "host table struct_size is smaller than np_host_t (ABI 1.0)";
    if (!host->log) return "host table log is NULL";
    if (!host->alloc) return "host table alloc is NULL";
    if (!host->free) return "host table free is NULL";
    if (!host->get_extension) return "host table get_extension is NULL";
    return NULL;
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_HOST_API_H */
