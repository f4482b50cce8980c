/*
 * np_sdk_library.c - the library descriptor of a C SDK library, its negotiation (rule P1) and its ref-counted
 * init/deinit (rule P3).
 *
 * The plugins are whatever the library's objects registered in the `np_plugins` section (np_register.h):
 * the section is the np_library_t.plugins array itself. Its length is not a constant expression in C, so a
 * constructor stores it once when the library is loaded, before any np_entry call can happen; np_entry itself
 * then only reads static data.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "np_sdk_internal.h"

/* ---- The np_plugins and np_library_hooks sections (defined by the linker; weak: a section may be absent) -- */
extern const np_plugin_descriptor_t *const __start_np_plugins[] __attribute__((weak, visibility("hidden")));
extern const np_plugin_descriptor_t *const __stop_np_plugins[] __attribute__((weak, visibility("hidden")));
extern const np_sdk_library_hook_t *const __start_np_library_hooks[] __attribute__((weak, visibility("hidden")));
extern const np_sdk_library_hook_t *const __stop_np_library_hooks[] __attribute__((weak, visibility("hidden")));

/* ---- Layout fingerprints and report (np_layout.g.h, generated) ------------------------------------------ */
_Static_assert(NP_ABI_MAJOR == 1, "the C SDK speaks ABI major 1");

NP_DEFINE_LAYOUT_REPORT(np_sdk_layout_report);

/* ---- init / deinit ------------------------------------------------------------------------------------ */
static pthread_mutex_t np_sdk_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t np_sdk_init_count; /* guarded by np_sdk_lock */

static np_status np_sdk_run_init_hooks(const np_host_t *host, np_error_t *error) {
    const np_sdk_library_hook_t *const *begin = __start_np_library_hooks, *const *end = __stop_np_library_hooks;
    if (!begin) return NP_OK;
    for (const np_sdk_library_hook_t *const *h = begin; h < end; ++h) {
        if (!(*h)->init) continue;
        np_status status = (*h)->init(host, error);
        if (status != NP_OK) {
            if (status > 0) status = NP_ERR_PLUGIN;
            if (error && error->len == 0)
                np_error_set(error, status, "library init hook failed with %s", np_status_name(status));
            while (h-- > begin) /* undo the hooks that ran, newest first */
                if ((*h)->deinit) (*h)->deinit();
            return status;
        }
    }
    return NP_OK;
}

static void np_sdk_run_deinit_hooks(void) {
    const np_sdk_library_hook_t *const *begin = __start_np_library_hooks, *const *end = __stop_np_library_hooks;
    if (!begin) return;
    for (const np_sdk_library_hook_t *const *h = end; h-- > begin;)
        if ((*h)->deinit) (*h)->deinit();
}

static np_status NP_CDECL np_sdk_library_init(const np_host_t *host, np_error_t *error) {
    const char *problem = np_host_check(host);
    if (problem) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "library init: %s", problem);
    np_status status = NP_OK;
    pthread_mutex_lock(&np_sdk_lock);
    if (np_sdk_init_count == 0) {
        uint64_t saved_len = error ? error->len : 0;
        if (error) error->len = 0;
        status = np_sdk_run_init_hooks(host, error);
        if (status == NP_OK && error) error->len = saved_len; /* success leaves the buffer untouched */
    }
    if (status == NP_OK) np_sdk_init_count++;
    pthread_mutex_unlock(&np_sdk_lock);
    return status;
}

static void NP_CDECL np_sdk_library_deinit(void) {
    pthread_mutex_lock(&np_sdk_lock);
    if (np_sdk_init_count > 0 && --np_sdk_init_count == 0) np_sdk_run_deinit_hooks();
    pthread_mutex_unlock(&np_sdk_lock);
}

/* ---- The library descriptor --------------------------------------------------------------------------- */
static np_library_t np_sdk_library = {
    sizeof(np_library_t),  0, NP_STR_LIT(NP_C_SDK_ID), NULL, np_sdk_library_init,
    np_sdk_library_deinit, 0, /* flags: a C library can be unloaded */
};

__attribute__((constructor)) static void np_sdk_collect_plugins(void) {
    const np_plugin_descriptor_t *const *begin = __start_np_plugins, *const *end = __stop_np_plugins;
    if (begin && end > begin) {
        np_sdk_library.plugins = begin;
        np_sdk_library.plugin_count = (uint32_t)(end - begin);
    }
}

/* ---- Negotiation (rule P1) ----------------------------------------------------------------------------- */
/* The host's error buffer (ABI 1.2), if its struct reaches that far. */
static np_error_t *np_sdk_negotiation_error(const np_negotiation_t *negotiation) {
    return NP_HAS_FIELD(negotiation, np_negotiation_t, error) ? negotiation->error : NULL;
}

np_status np_sdk_negotiate(np_negotiation_t *negotiation, const np_library_t **out_library) {
    if (!negotiation) return NP_ERR_INVALID_ARGUMENT;
    if (!out_library)
        return np_error_set(np_sdk_negotiation_error(negotiation), NP_ERR_INVALID_ARGUMENT,
                            NP_C_SDK_ID ": np_entry: out_library is NULL");
    /* Always say who we are, so that a refusal can be explained - as far as the host's struct reaches. */
    if (NP_HAS_FIELD(negotiation, np_negotiation_t, library_abi_minor)) {
        negotiation->library_abi_major = NP_ABI_MAJOR;
        negotiation->library_abi_minor = NP_ABI_MINOR;
    }
    /* The least size is the x.0 size, never today's sizeof: a later minor may grow the struct, and its hosts must
     * still be accepted by this library and older ones (rule P2; interop/vectors/negotiation.tsv). */
    if (negotiation->struct_size < NP_MIN_SIZEOF_np_negotiation_t) return NP_ERR_INVALID_ARGUMENT;
    if (negotiation->abi_major != NP_ABI_MAJOR)
        return np_error_set(np_sdk_negotiation_error(negotiation), NP_ERR_VERSION,
                            NP_C_SDK_ID ": this library speaks ABI %u.%u; the host speaks major %u", NP_ABI_MAJOR,
                            NP_ABI_MINOR, (unsigned)negotiation->abi_major);
    uint32_t agreed = negotiation->abi_minor < NP_ABI_MINOR ? negotiation->abi_minor : NP_ABI_MINOR;
    negotiation->abi_minor = agreed;
    negotiation->layout_fingerprint = NP_LAYOUT_FINGERPRINT_FOR_MINOR(agreed);
    negotiation->layout_report = &np_sdk_layout_report;
    *out_library = &np_sdk_library;
    return NP_OK;
}
