/*
 * nph_loader.h - loading NativePlugins libraries from C: dlopen, negotiate, validate, init; plugin instances.
 *
 *     nph_host_t *host = nph_host_create(NULL);
 *     nph_library_t *lib;
 *     nph_diag_t diag;
 *     if (nph_host_load(host, "plugins/libnp_c_text.so", &lib, &diag) != NPH_OK) puts(diag.message);
 *     nph_transform_t upper;
 *     nph_host_find_transform(host, "org.nativeplugins.c.upper", &upper, &diag);
 *     nph_instance_t *inst;
 *     nph_instance_create(host, &upper, "mode=ascii", &inst, &diag);
 *     ... nph_instance_process / nph_instance_flush ...
 *     nph_instance_destroy(inst);
 *     nph_host_destroy(host);            // deinit + dlclose of every library
 *
 * Loading follows interop/README.md section 1 and enforces the host rules: H1 (np_entry/init/deinit are called
 * serially: this host is single-threaded per nph_host_t), H2 (fields read only when struct_size covers them;
 * stats only at an agreed minor >= 1), H3 (everything validated before any call into the library; a refused
 * library is closed again and affects no other), H5 (emitter invariants, >= 256-byte error buffers),
 * H6 (instances destroyed before deinit; unloading is deinit + dlclose, and a library that must never be unmapped,
 * such as a NativeAOT C# plugin, is linked with -z nodelete so that dlclose leaves it mapped), H7 (host tables
 * live until the matching deinit/destroy).
 */
#ifndef NPLUG_HOST_LOADER_H
#define NPLUG_HOST_LOADER_H

#include <stddef.h>

#include <nplug/nplug.h>

#include "nph_diag.h"
#include "nph_emitter.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nph_host nph_host_t;
typedef struct nph_library nph_library_t;
typedef struct nph_instance nph_instance_t;

/* Where plugin log lines go. scope is the library file name (init) or the plugin id (instances). */
typedef void (*nph_log_fn)(void *context, int32_t level, const char *scope, np_str_t message);

typedef struct nph_host_options {
    nph_log_fn log; /* NULL: write "nplug-c-host: [level] scope: message" to stderr */
    void *log_context;
    int32_t min_log_level; /* lines below are dropped; default NP_LOG_INFO */
    uint32_t abi_minor;    /* the minor this host offers in negotiation; NPH_HOST_NEWEST_MINOR = NP_ABI_MINOR */
} nph_host_options_t;

#define NPH_HOST_NEWEST_MINOR 0xFFFFFFFFu
#define NPH_HOST_NAME "nplug-c-host"
#define NPH_HOST_VERSION "0.1.0"

/* Fill options with the defaults. */
void nph_host_options_init(nph_host_options_t *options);
/* NULL options: defaults. Returns NULL when out of memory. */
nph_host_t *nph_host_create(const nph_host_options_t *options);
/* Unload every library (destroy your instances first). */
void nph_host_destroy(nph_host_t *host);

/* Load, negotiate, validate and init a library. Loading a file that is already loaded returns the same
 * library. On failure nothing of the file stays loaded and *out is NULL. */
nph_error_t nph_host_load(nph_host_t *host, const char *path, nph_library_t **out, nph_diag_t *diag);
/* deinit + dlclose. NPH_E_STATE while instances of the library live. */
nph_error_t nph_host_unload(nph_host_t *host, nph_library_t *library, nph_diag_t *diag);

size_t nph_host_library_count(const nph_host_t *host);
nph_library_t *nph_host_library(const nph_host_t *host, size_t index);

/* ---- A loaded library ------------------------------------------------------------------------------------ */
const char *nph_library_path(const nph_library_t *library);
const np_library_t *nph_library_descriptor(const nph_library_t *library);
uint32_t nph_library_plugin_count(const nph_library_t *library);
const np_plugin_descriptor_t *nph_library_plugin(const nph_library_t *library, uint32_t index);
/* What negotiation produced. */
uint32_t nph_library_agreed_minor(const nph_library_t *library);
uint32_t nph_library_abi_major(const nph_library_t *library); /* the library's own (library_abi_major) */
uint32_t nph_library_abi_minor(const nph_library_t *library); /* the library's own newest minor */
uint64_t nph_library_fingerprint(const nph_library_t *library);
/* np_library_t.flags (NP_LIBRARY_*, ABI 1.2); 0 for a library of an older minor. A host never unloads a library
 * flagged NP_LIBRARY_NO_UNLOAD. */
uint64_t nph_library_flags(const nph_library_t *library);
/* 1 when np_entry handed over a layout report (np_negotiation_t.layout_report), else 0. */
int nph_library_has_layout_report(const nph_library_t *library);
/* The raw entry point (for tests that negotiate by hand). */
np_entry_fn nph_library_entry(const nph_library_t *library);

/* ---- What a plugin's descriptor says about its interfaces (read per rule H2) ------------------------------- */
/* The struct_size of the vtable of the plugin's index-th interface (validated at load: at least 4 readable bytes). */
uint32_t nph_plugin_interface_size(const np_plugin_descriptor_t *plugin, uint64_t index);
/* The interface fingerprint the plugin gave for its index-th interface in np_plugin_descriptor_t.interface_layouts
 * (ABI 1.2); 0 when it gave none: no interface_layouts, a descriptor too small to hold the field, or an agreed minor
 * below 2 (the field is then not read). */
uint64_t nph_plugin_interface_fingerprint(const nph_library_t *library, const np_plugin_descriptor_t *plugin,
                                          uint64_t index);
/* The layout report the plugin gave beside that fingerprint (NULL when none, or where the fingerprint is not read).
 * Library data, not validated: the caller checks it before reading it (it may be malformed). */
const np_layout_report_t *nph_plugin_interface_report(const nph_library_t *library,
                                                      const np_plugin_descriptor_t *plugin, uint64_t index);

/* ---- np.transform/1 -------------------------------------------------------------------------------------- */
/* A plugin's transform interface, resolved and validated at load (function pointers copied; stats is NULL when
 * the library does not provide it or the agreed minor predates it). */
typedef struct nph_transform {
    nph_library_t *library;
    const np_plugin_descriptor_t *plugin;
    const np_transform_v1_t *vtable;
    np_status(NP_CDECL *create)(const np_host_t *, np_str_t, np_instance_t **, np_error_t *);
    void(NP_CDECL *destroy)(np_instance_t *);
    np_status(NP_CDECL *process)(np_instance_t *, const np_batch_t *, np_emitter_t *, np_error_t *);
    np_status(NP_CDECL *flush)(np_instance_t *, np_emitter_t *, np_error_t *);
    np_status(NP_CDECL *stats)(np_instance_t *, np_transform_stats_t *);
    /* np.state/1 of the same plugin (ABI 1.3): NULL when it offers none or the agreed minor is below 3 (the
     * interface is then one this host does not know, listed and never called). Validated at load. */
    np_status(NP_CDECL *save_state)(void *, np_out_bytes_t *, np_error_t *);
    np_status(NP_CDECL *restore_state)(void *, np_bytes_t, np_error_t *);
} nph_transform_t;

/* Find a plugin by id across all loaded libraries and resolve its np.transform/1. */
nph_error_t nph_host_find_transform(nph_host_t *host, const char *plugin_id, nph_transform_t *out, nph_diag_t *diag);

/* ---- Instances ------------------------------------------------------------------------------------------- */
/* Create an instance with its own host table (its allocations are accounted to it). config: UTF-8, may be
 * NULL (empty). */
nph_error_t nph_instance_create(nph_host_t *host, const nph_transform_t *transform, const char *config,
                                nph_instance_t **out, nph_diag_t *diag);
/* Process a batch into out; the emitter protocol is checked afterwards (rule P10). */
nph_error_t nph_instance_process(nph_instance_t *instance, const np_batch_t *batch, nph_emitter_t *out,
                                 nph_diag_t *diag);
nph_error_t nph_instance_flush(nph_instance_t *instance, nph_emitter_t *out, nph_diag_t *diag);
/* Fill stats; returns 0 when the plugin has no stats (absent field or agreed minor 1.0), 1 when filled,
 * -1 when the call failed. */
int nph_instance_stats(nph_instance_t *instance, np_transform_stats_t *out);
/* ---- np.state/1 (ABI 1.3, ext/np_state.h, rule P13) ------------------------------------------------------- */
/* 1 when the instance's plugin offers np.state/1 at the agreed minor (transform.save_state is set), else 0. */
int nph_instance_supports_state(const nph_instance_t *instance);
/* Save the instance's whole state. Thread: the instance's (never overlapping another call on it, rule H4).
 * On NPH_OK *out_data is a buffer of *out_len bytes (NULL when the blob is empty) that the CALLER owns and frees with
 * nph_state_free; on any failure *out_data is NULL and *out_len 0 (what the plugin appended before failing is
 * dropped). The plugin appends to an np_out_bytes_t this host owns (growable, with guard bytes after its capacity):
 * a failing status is NPH_E_PLUGIN with the plugin's message (P5); a changed data/capacity or len past capacity is
 * NPH_E_PROTOCOL (P10); a write past the capacity or the error buffer also poisons the instance. NPH_E_NOT_FOUND
 * (it lacks the interface) when the plugin offers no np.state/1. */
nph_error_t nph_instance_save_state(nph_instance_t *instance, uint8_t **out_data, uint64_t *out_len, nph_diag_t *diag);
/* Restore a state save produced into the instance (call it right after create, before its first call). Thread: the
 * instance's. data (len bytes; NULL when len is 0) is the caller's and read during the call only. A blob the plugin
 * does not understand is its NP_ERR_INPUT (NPH_E_PLUGIN, status NP_ERR_INPUT): the instance keeps its state. A write
 * past the error buffer poisons the instance (NPH_E_PROTOCOL). NPH_E_NOT_FOUND without np.state/1. */
nph_error_t nph_instance_restore_state(nph_instance_t *instance, const uint8_t *data, uint64_t len, nph_diag_t *diag);
/* Free a buffer nph_instance_save_state returned (NULL is fine). */
void nph_state_free(uint8_t *data);

/* Destroy; logs a warning naming the plugin if it leaked host memory (rule P4). */
void nph_instance_destroy(nph_instance_t *instance);
const nph_transform_t *nph_instance_transform(const nph_instance_t *instance);
/* The plugin's own instance pointer, for calling the vtable directly (benchmarks, tests). */
np_instance_t *nph_instance_raw(const nph_instance_t *instance);
/* Host-allocator accounting of the instance: live bytes and blocks, and misuse (bad free) count. */
uint64_t nph_instance_live_bytes(const nph_instance_t *instance);
uint64_t nph_instance_alloc_violations(const nph_instance_t *instance);

#ifdef __cplusplus
}
#endif

#endif /* NPLUG_HOST_LOADER_H */
