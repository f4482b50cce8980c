/*
 * nph_internal.h - the C host library's private structures, shared by its source files.
 */
#ifndef NPLUG_HOST_INTERNAL_H
#define NPLUG_HOST_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>

#include <nplug_host/nph.h>
#include <nplug_sdk/np_sdk_common.h>

/* A host table (np_host_t) handed to one library (init) or one instance (create), with its own allocation
 * accounting so a leak or a bad free can be blamed on that library or plugin (rule P4). */
typedef struct nph_table {
    np_host_t table; /* what the plugin sees; table.host_data == this */
    nph_host_t *host;
    char scope[192]; /* library file name or plugin id, for log lines and messages */
    _Atomic uint64_t live_bytes, live_blocks, violations;
} nph_table_t;

struct nph_host {
    nph_host_options_t options;
    uint32_t offered_minor;
    nph_library_t **libraries;
    size_t library_count, library_cap;
};

struct nph_library {
    nph_host_t *host;
    char *path;      /* as given by the caller */
    char *real_path; /* canonical, to recognise a file loaded twice */
    void *handle;
    np_entry_fn entry;
    const np_library_t *descriptor;
    np_negotiation_t negotiation; /* as the library answered */
    nph_table_t table;            /* the init table: valid until deinit returns (H7) */
    size_t instance_count;
};

struct nph_instance {
    nph_host_t *host;
    nph_transform_t transform;
    np_instance_t *instance;
    nph_table_t table; /* valid until destroy returns (H7) */
    uint8_t error_buffer[1024];
    uint8_t error_guard[NPH_GUARD_BYTES]; /* right after error_buffer (uint8_t arrays: no padding between) */
    const char *poisoned;                 /* why no call but destroy may be made any more; NULL while healthy */
};

/* ---- nph_instance.c: shared with nph_state.c ---- */
/* The instance's error buffer as an np_error_t, its guard written. */
np_error_t nph_error_buffer(nph_instance_t *inst);
/* The refusal of a call on a poisoned instance. */
nph_error_t nph_refuse_poisoned(const nph_instance_t *inst, const char *call, nph_diag_t *diag);
/* A failed call as a diagnostic naming file and plugin; checks the message contract (P5). */
nph_error_t nph_call_failed(const nph_transform_t *t, const char *call, np_status status, const np_error_t *error,
                            nph_diag_t *diag);

/* ---- nph_guard.c ---- */
/* Write / check the guard bytes at `at` (NPH_GUARD_BYTES, unaligned is fine; the value is random per process). */
void nph_guard_write(void *at);
int nph_guard_intact(const void *at);

/* ---- nph_diag.c ---- */
/* Fill diag (may be NULL) and return code. rule may be NULL; it is appended as " (rule Px)". */
nph_error_t nph_fail(nph_diag_t *diag, nph_error_t code, np_status status, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The file name part of a path. */
const char *nph_basename(const char *path);

/* Plugin text as a diagnostic shows it (interop/README.md section 5, vectors/display-text.tsv): one line, C0/DEL and
 * bytes outside valid UTF-8 as \xHH, C1, bidi controls and U+2028/U+2029 as \uHHHH, everything else kept. Writes at
 * most cap - 1 bytes and a NUL (cut between pieces); returns the length. */
size_t nph_one_line(const uint8_t *in, size_t len, char *out, size_t cap);

/* ---- nph_host_table.c ---- */
void nph_table_init(nph_table_t *t, nph_host_t *host, uint32_t abi_minor, const char *scope);
uint64_t nph_table_live_bytes(const nph_table_t *t);
uint64_t nph_table_live_blocks(const nph_table_t *t);
uint64_t nph_table_violations(const nph_table_t *t);
/* Log from the host itself through the configured sink. */
void nph_host_log(nph_host_t *host, int32_t level, const char *scope, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- nph_loader.c ---- */
/* Rule P1 from the host's side: accept np_entry's answer (NPH_OK) or refuse it (NPH_E_VERSION / NPH_E_ENTRY).
 * library_abi_major/minor hold 0xFFFFFFFF when the library did not write them. */
nph_error_t nph_check_negotiation(const char *path, uint32_t offered_minor, np_status status, const np_negotiation_t *n,
                                  const np_library_t *descriptor, nph_diag_t *diag);

/* ---- nph_validate.c ---- */
/* The first ABI minor that defines np.state/1: below it the interface is listed and never read. */
#define NPH_STATE_MINOR 3u
/* Rule P2 over everything the library handed over; agreed_minor decides which fields exist. */
nph_error_t nph_validate_library(const char *path, const np_library_t *library, uint32_t agreed_minor,
                                 nph_diag_t *diag);
/* Resolve np.transform/1 of a validated plugin (NPH_E_NOT_FOUND if it has none). */
nph_error_t nph_resolve_transform(nph_library_t *library, const np_plugin_descriptor_t *plugin, nph_transform_t *out,
                                  nph_diag_t *diag);

/* ---- nph_layout.c ---- */
/* The fingerprint this host expects for a minor (np_layout.g.h); 0 for a minor the header does not define. */
uint64_t nph_expected_fingerprint(uint32_t minor);
/* Compare the library's fingerprint (and, on a mismatch, its layout report) with this host's. */
nph_error_t nph_check_layout(const char *path, const np_negotiation_t *negotiation, nph_diag_t *diag);

/* ---- nph_memory.c ---- */
/* Where a library's pointers may point (rule H3): readable memory for data, executable memory for functions. */
#define NPH_MAX_OWN_SEGMENTS 16
typedef struct nph_region {
    uintptr_t start, end;
    int readable, executable;
} nph_region_t;
typedef struct nph_memory {
    uintptr_t anchor;                       /* an address in the library (its np_entry) */
    nph_region_t own[NPH_MAX_OWN_SEGMENTS]; /* the library's PT_LOAD segments */
    size_t own_count;
    nph_region_t *maps; /* /proc/self/maps, read on the first pointer outside them */
    size_t map_count;
    int maps_read;
} nph_memory_t;
void nph_memory_init(nph_memory_t *m, const void *anchor);
void nph_memory_free(nph_memory_t *m);
int nph_memory_readable(nph_memory_t *m, const void *p, uint64_t len);
int nph_memory_executable(nph_memory_t *m, const void *fn);
/* Every pointer of the negotiation answer and the descriptors readable/executable, before the checks of
 * nph_check_layout and nph_validate_library read through them (NPH_E_INVALID naming the field). */
nph_error_t nph_check_pointers(const char *path, const np_negotiation_t *negotiation, const np_library_t *library,
                               nph_memory_t *memory, nph_diag_t *diag);

#endif /* NPLUG_HOST_INTERNAL_H */
