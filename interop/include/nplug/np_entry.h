/*
 * np_entry.h - the one exported function, version negotiation, the library and plugin descriptors.
 *
 * Hosts look up exactly one symbol, the FUNCTION `np_entry` (a function, not data: NativeAOT and most
 * toolchains can export functions only). Loading goes:
 *
 *   1. host: dlopen + dlsym("np_entry")
 *   2. host: np_entry(&negotiation, &library)     -- versions agreed, descriptors handed over
 *   3. host: validates every descriptor (sizes, NULLs, UTF-8, ids, fingerprint)
 *   4. host: library->init(host_table)            -- once per load; ref-counted by the library
 *   5. host: finds an interface by id in a plugin descriptor, creates instances through it
 *   6. host: library->deinit() when it is done with the library (after destroying every instance)
 */
#ifndef NP_ENTRY_H
#define NP_ENTRY_H

#include "np_host.h"
#include "np_layout.h"
#include "np_types.h"

/* The exported symbol's name. */
#define NP_ENTRY_SYMBOL "np_entry"

/* ---- Negotiation (the Vulkan loader's in/out version integer) -----------------------------------
 * The host fills the "in" fields and calls np_entry. The library:
 *   - always writes library_abi_major and library_abi_minor (so a refusal can be explained);
 *   - refuses with NP_ERR_VERSION when abi_major != its major, writing nothing else;
 *   - otherwise sets abi_minor = min(host's abi_minor, its own minor), writes layout_fingerprint for THAT
 *     agreed minor (np_layout.g.h: NP_LAYOUT_FINGERPRINT_1_<minor>) and layout_report, and returns NP_OK
 *     with *out_library set.
 * A library must accept a host of any minor of its major, older or newer (rule P1). */
typedef struct np_negotiation {
    uint32_t struct_size;          /* in: sizeof(np_negotiation_t) as the host knows it */
    uint32_t abi_major;            /* in: the host's major */
    uint32_t abi_minor;            /* in: the host's newest minor; out: the agreed minor */
    uint32_t library_abi_major;    /* out: the major the library was built for */
    uint32_t library_abi_minor;    /* out: the newest minor the library was built for */
    uint32_t reserved;             /* must be 0 */
    uint64_t layout_fingerprint;   /* out: fingerprint of the agreed minor's layout as the library compiled it */
    const np_layout_report_t *layout_report; /* out: the library's layout report, or NULL; static data */

    /** in: the host's buffer for the reason np_entry fails (a hosted library: "no .NET runtime found"), or NULL.
     * Host-owned, valid during the call. A library writes it only when it returns a failing status and
     * struct_size covers this field. @since 1.2 */
    np_error_t *error;
} np_negotiation_t;

/* ---- Threading models (np_plugin_descriptor_t.threading) ----------------------------------------- */
/* Calls on one instance never overlap: the host serializes them. Different instances may be used from
 * different threads at the same time. The default; what most plugins want. */
#define NP_THREADING_SINGLE 0u
/* Calls on one instance may overlap from several threads; the plugin synchronizes. */
#define NP_THREADING_THREAD_SAFE 1u

/* ---- Interfaces -------------------------------------------------------------------------------- */
/* One interface a plugin implements: its id ("ns.name/revision", e.g. "np.transform/1") and its vtable, a
 * struct that starts with uint32_t struct_size. Both are static data of the library. */
typedef struct np_interface {
    np_str_t id;
    const void *vtable;
} np_interface_t;

/* ---- Interface layouts (@since 1.2) ------------------------------------------------------------
 * What the library's compiler made of one interface's header: the fingerprint and layout report that the
 * interface's generated bindings define (NP_LAYOUT_FINGERPRINT_<interface> for np.transform/1; `nplug bindgen`
 * output for a user's interface). A host that knows the interface compares the fingerprint with its own and,
 * when they differ, names the first struct and field that differ from the report. An element of an array
 * (np_plugin_descriptor_t.interface_layouts): it cannot grow. Static data of the library. */
typedef struct np_interface_layout {
    uint64_t fingerprint;              /* 0: not given (the host then checks struct_size and NULLs only) */
    const np_layout_report_t *report;  /* the interface's layout report, or NULL */
} np_interface_layout_t;

/* ---- Plugin descriptor --------------------------------------------------------------------------
 * Static data of the library, valid while it is loaded. All strings are UTF-8 and non-empty unless noted. */
typedef struct np_plugin_descriptor {
    uint32_t struct_size;
    uint32_t threading;          /* NP_THREADING_* */
    np_str_t id;                 /* reverse-DNS, unique across all loaded libraries: "com.example.upper" */
    np_str_t name;               /* display name */
    np_str_t version;            /* semantic version of the plugin: "1.2.0" */
    np_str_t description;        /* may be empty */
    np_str_t vendor;             /* may be empty */
    const np_interface_t *interfaces; /* interface_count entries, ids unique within the plugin */
    uint64_t interface_count;

    /** interface_count entries, parallel to interfaces (np_interface_t cannot grow: it is an array element),
     * or NULL when the library gives no layouts. @since 1.2 */
    const np_interface_layout_t *interface_layouts;
} np_plugin_descriptor_t;

/* ---- Library flags (np_library_t.flags; ABI 1.2) ------------------------------------------------ */
/* The library must never be unloaded (dlclose/FreeLibrary) once loaded: it runs code that outlives deinit, such
 * as a NativeAOT runtime whose threads would crash in unmapped code. A host keeps such a file mapped for the
 * life of the process and may still call deinit. For a 1.0/1.1 library a host may infer it (the C# SDK's
 * "nplug-cs" sdk string). */
#define NP_LIBRARY_NO_UNLOAD 1u

/* ---- Library descriptor -------------------------------------------------------------------------
 * Returned by np_entry; static data, valid until the library is unloaded. */
typedef struct np_library np_library_t;

struct np_library {
    uint32_t struct_size;
    uint32_t plugin_count;
    np_str_t sdk;                /* producing SDK and version, for diagnostics: "nplug-c/0.1.0"; may be empty */
    const np_plugin_descriptor_t *const *plugins; /* plugin_count non-NULL entries */

    /* [host-serialized] Called once after negotiation and validation, before any instance is created. host is
     * valid until deinit returns. May be called again after deinit (a host may load the same file twice: the
     * library ref-counts). Must be fast and must not start threads that call the host. Never NULL. */
    np_status (NP_CDECL *init)(const np_host_t *host, np_error_t *error);

    /* [host-serialized] Undo init. Called after every instance of the library was destroyed. Never NULL. */
    void (NP_CDECL *deinit)(void);

    /** NP_LIBRARY_* bits; unknown bits are ignored by hosts. @since 1.2 */
    uint64_t flags;
};

/* The entry function. [host-serialized]: the host never calls it concurrently with itself or with init/deinit.
 * May be called more than once; must return the same descriptors each time. Must not call the host. */
typedef np_status (NP_CDECL *np_entry_fn)(np_negotiation_t *negotiation, const np_library_t **out_library);

NP_EXTERN_C NP_EXPORT np_status NP_CDECL np_entry(np_negotiation_t *negotiation, const np_library_t **out_library);

#endif /* NP_ENTRY_H */
