/*
 * np_host.h - the host service table (SQLite's sqlite3_api_routines, CLAP's clap_host_t).
 *
 * The host hands this table to the library at init and to every instance at create. The library never links
 * against the host: everything it needs from the host it reaches through this table. The table is
 * append-only within a major version (read a field only if struct_size covers it: NP_HAS_FIELD).
 */
#ifndef NP_HOST_H
#define NP_HOST_H

#include <stddef.h>

#include "np_types.h"

/* Well-known host extension ids (np_host_t.get_extension). A host may offer none of them. */
/* No extension is standardised in ABI 1.1 yet; ids follow the pattern "np.host.<name>/<revision>". */

typedef struct np_host np_host_t;

struct np_host {
    /* sizeof(np_host_t) as the host was compiled. */
    uint32_t struct_size;
    /* The ABI minor the host speaks; equals np_negotiation_t.abi_minor after negotiation. */
    uint32_t abi_minor;

    /* Host name and version, for diagnostics. Owned by the host, valid while the table is. */
    np_str_t name;
    np_str_t version;

    /* Opaque to the plugin: the host's own context. */
    void *host_data;

    /* [thread-safe] Write a log line. level is NP_LOG_*; message is borrowed for the call. The host knows
     * which library or instance is logging from the table it handed out. Never NULL. */
    void (NP_CDECL *log)(const np_host_t *host, int32_t level, np_str_t message);

    /* [thread-safe] Allocate size bytes aligned to align (a power of two, at most 4096). Returns NULL on
     * failure. Memory from alloc is freed only with free of the same table, never by another allocator
     * (rule P4). Never NULL. */
    void *(NP_CDECL *alloc)(const np_host_t *host, uint64_t size, uint64_t align);

    /* [thread-safe] Free memory returned by alloc. size and align must equal the values given to alloc.
     * ptr == NULL is a no-op. Never NULL. */
    void (NP_CDECL *free)(const np_host_t *host, void *ptr, uint64_t size, uint64_t align);

    /* [thread-safe] Look up a host extension by id ("np.host.<name>/<revision>"). Returns a pointer to a
     * struct starting with uint32_t struct_size, valid while this table is, or NULL if the host does not
     * offer it. Never NULL. */
    const void *(NP_CDECL *get_extension)(const np_host_t *host, np_str_t id);
};

/* True when a struct whose first member is uint32_t struct_size is long enough to hold `field`. Use it before
 * reading any field that was appended after the first minor of the major (abi_stable's prefix types). */
#define NP_HAS_FIELD(ptr, type, field) \
    ((ptr)->struct_size >= (uint32_t)(offsetof(type, field) + sizeof(((type *)0)->field)))

#endif /* NP_HOST_H */
