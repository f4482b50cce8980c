/*
 * nph_host_table.c - the np_host_t this host hands to libraries and instances: logging, an accounting
 * allocator, no extensions.
 *
 * Every block carries a small header (owner table, size, alignment) in front of it, so the host can check
 * rule P4 instead of corrupting its heap: free with another size/alignment than alloc, free of a pointer it
 * never allocated, and leaks (live bytes of a table when its instance is destroyed or its library deinit'ed).
 * All functions are thread-safe (H7): counters are atomic, the rest is immutable after init.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nph_internal.h"

#define NPH_ALLOC_MAGIC 0x6e706c7567616c6cull /* "nplugall" */
#define NPH_ALLOC_HEADER 32u
#define NPH_ALLOC_MAX_ALIGN 4096u

typedef struct nph_alloc_header {
    uint64_t magic;
    nph_table_t *owner;
    uint64_t size;
    uint64_t align;
} nph_alloc_header_t;
_Static_assert(sizeof(nph_alloc_header_t) == NPH_ALLOC_HEADER, "allocation header size");

static const char *nph_level_name(int32_t level) {
    switch (level) {
    case NP_LOG_TRACE: return "trace";
    case NP_LOG_DEBUG: return "debug";
    case NP_LOG_INFO: return "info";
    case NP_LOG_WARN: return "warn";
    case NP_LOG_ERROR: return "error";
    default: return "log";
    }
}

static void nph_emit_log(nph_host_t *host, int32_t level, const char *scope, np_str_t message) {
    if (level < host->options.min_log_level) return;
    if (host->options.log) {
        host->options.log(host->options.log_context, level, scope, message);
        return;
    }
    /* One line, by the rule of diagnostics (nph_one_line, interop/README.md section 5): a plugin's newline or terminal
     * escape cannot forge log lines or take over the terminal. A host's own log callback gets the message as it is. */
    char shown[4096];
    size_t n = message.ptr ? nph_one_line(message.ptr, (size_t)message.len, shown, sizeof shown) : 0;
    shown[n] = 0;
    fprintf(stderr, "%s: [%s] %s: %s\n", NPH_HOST_NAME, nph_level_name(level), scope, shown);
}

void nph_host_log(nph_host_t *host, int32_t level, const char *scope, const char *fmt, ...) {
    char line[1024];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (n < 0) return;
    np_str_t message = {(const uint8_t *)line, (uint64_t)n < sizeof line ? (uint64_t)n : sizeof line - 1};
    nph_emit_log(host, level, scope, message);
}

static nph_table_t *nph_table_of(const np_host_t *table) { return (nph_table_t *)table->host_data; }

static void NP_CDECL nph_table_log(const np_host_t *table, int32_t level, np_str_t message) {
    if (!table) return;
    nph_table_t *t = nph_table_of(table);
    nph_emit_log(t->host, level, t->scope, message);
}

static void *NP_CDECL nph_table_alloc(const np_host_t *table, uint64_t size, uint64_t align) {
    if (!table) return NULL;
    nph_table_t *t = nph_table_of(table);
    if (align == 0 || (align & (align - 1)) != 0 || align > NPH_ALLOC_MAX_ALIGN) {
        atomic_fetch_add(&t->violations, 1);
        nph_host_log(t->host, NP_LOG_ERROR, t->scope, "alloc with alignment %llu (must be a power of two <= %u)",
                     (unsigned long long)align, NPH_ALLOC_MAX_ALIGN);
        return NULL;
    }
    /* The header sits right before the block; the block stays aligned because offset is a multiple of align. */
    uint64_t offset = align > NPH_ALLOC_HEADER ? align : NPH_ALLOC_HEADER;
    if (size > UINT64_MAX / 2 - offset) return NULL;
    void *raw = NULL;
    if (posix_memalign(&raw, align < 16 ? 16 : (size_t)align, (size_t)(offset + (size ? size : 1))) != 0) return NULL;
    uint8_t *block = (uint8_t *)raw + offset;
    nph_alloc_header_t *h = (nph_alloc_header_t *)(void *)(block - NPH_ALLOC_HEADER);
    h->magic = NPH_ALLOC_MAGIC;
    h->owner = t;
    h->size = size;
    h->align = align;
    atomic_fetch_add(&t->live_bytes, size);
    atomic_fetch_add(&t->live_blocks, 1);
    return block;
}

static void NP_CDECL nph_table_free(const np_host_t *table, void *ptr, uint64_t size, uint64_t align) {
    if (!table || !ptr) return;
    nph_table_t *t = nph_table_of(table);
    nph_alloc_header_t *h = (nph_alloc_header_t *)(void *)((uint8_t *)ptr - NPH_ALLOC_HEADER);
    if (h->magic != NPH_ALLOC_MAGIC) {
        atomic_fetch_add(&t->violations, 1);
        nph_host_log(t->host, NP_LOG_ERROR, t->scope,
                     "free of %p, which this host's alloc did not return or which was already freed (rule P4); ignored",
                     ptr);
        return;
    }
    if (h->size != size || h->align != align) {
        atomic_fetch_add(&t->violations, 1);
        nph_host_log(t->host, NP_LOG_ERROR, t->scope,
                     "free(size=%llu, align=%llu) of a block allocated with size=%llu, align=%llu (rule P4)",
                     (unsigned long long)size, (unsigned long long)align, (unsigned long long)h->size,
                     (unsigned long long)h->align);
    }
    if (h->owner != t) {
        atomic_fetch_add(&t->violations, 1);
        nph_host_log(t->host, NP_LOG_ERROR, t->scope,
                     "free through another host table than the one that allocated (rule P4)");
    }
    nph_table_t *owner = h->owner;
    atomic_fetch_sub(&owner->live_bytes, h->size);
    atomic_fetch_sub(&owner->live_blocks, 1);
    uint64_t offset = h->align > NPH_ALLOC_HEADER ? h->align : NPH_ALLOC_HEADER;
    h->magic = 0; /* a second free of the same block is then reported, not executed (best effort) */
    free((uint8_t *)ptr - offset);
}

static const void *NP_CDECL nph_table_get_extension(const np_host_t *table, np_str_t id) {
    (void)table;
    (void)id;
    return NULL; /* ABI 1.1 standardises no host extension */
}

void nph_table_init(nph_table_t *t, nph_host_t *host, uint32_t abi_minor, const char *scope) {
    memset(&t->table, 0, sizeof t->table);
    t->table.struct_size = (uint32_t)sizeof(np_host_t);
    t->table.abi_minor = abi_minor;
    t->table.name.ptr = (const uint8_t *)NPH_HOST_NAME;
    t->table.name.len = sizeof NPH_HOST_NAME - 1;
    t->table.version.ptr = (const uint8_t *)NPH_HOST_VERSION;
    t->table.version.len = sizeof NPH_HOST_VERSION - 1;
    t->table.host_data = t;
    t->table.log = nph_table_log;
    t->table.alloc = nph_table_alloc;
    t->table.free = nph_table_free;
    t->table.get_extension = nph_table_get_extension;
    t->host = host;
    snprintf(t->scope, sizeof t->scope, "%s", scope);
    atomic_init(&t->live_bytes, 0);
    atomic_init(&t->live_blocks, 0);
    atomic_init(&t->violations, 0);
}

uint64_t nph_table_live_bytes(const nph_table_t *t) { return atomic_load(&((nph_table_t *)t)->live_bytes); }
uint64_t nph_table_live_blocks(const nph_table_t *t) { return atomic_load(&((nph_table_t *)t)->live_blocks); }
uint64_t nph_table_violations(const nph_table_t *t) { return atomic_load(&((nph_table_t *)t)->violations); }
