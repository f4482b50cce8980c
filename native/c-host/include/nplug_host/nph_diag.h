/*
 * nph_diag.h - typed errors of the C host library (np_c_host).
 *
 * Every failure of the loader, of validation and of plugin calls comes back as an nph_error_t code plus an
 * nph_diag_t holding a message that names the file, the plugin (when there is one), the reason and the spec
 * rule that was broken: "/x/libfoo.so: plugin 'org.x.y': np_transform_v1_t.process is NULL (rule P2)".
 */
#ifndef NPLUG_HOST_DIAG_H
#define NPLUG_HOST_DIAG_H

#include <nplug/nplug.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nph_error {
    NPH_OK = 0,
    NPH_E_ARGUMENT,  /* this API was called wrongly */
    NPH_E_OPEN,      /* the file cannot be loaded: missing, empty, not ELF, dlopen failed */
    NPH_E_NO_ENTRY,  /* the library exports no np_entry: not a NativePlugins library */
    NPH_E_VERSION,   /* ABI major mismatch (rule P1) */
    NPH_E_ENTRY,     /* np_entry failed or broke the negotiation protocol (rule P1) */
    NPH_E_LAYOUT,    /* layout fingerprint mismatch */
    NPH_E_INVALID,   /* a descriptor breaks rule P2, or a pointer in it is not readable / executable memory (H3) */
    NPH_E_DUPLICATE, /* a plugin id is already loaded (rule P2) */
    NPH_E_INIT,      /* the library's init failed */
    NPH_E_NOT_FOUND, /* no such plugin, or it lacks the interface */
    NPH_E_PLUGIN,    /* a plugin call (create/process/flush) returned a failure status */
    NPH_E_PROTOCOL,  /* a plugin broke the emitter protocol or the message contract (rules P5, P10) */
    NPH_E_MEMORY,    /* the host ran out of memory */
    NPH_E_STATE      /* the object is in use (e.g. unloading a library with live instances) */
} nph_error_t;

#define NPH_DIAG_MESSAGE_MAX 2048

typedef struct nph_diag {
    nph_error_t code;
    np_status status; /* the plugin's status for NPH_E_PLUGIN / NPH_E_INIT / NPH_E_ENTRY / NPH_E_VERSION, else 0 */
    const char *rule; /* the spec rule broken ("P2"), or NULL */
    char message[NPH_DIAG_MESSAGE_MAX];
    /* For NPH_E_PLUGIN from a plugin call: np_error_t.code of the call, and where in message the plugin's own
     * text starts (0: the message has none). Hosts that report the plugin's words apart (the isolation worker)
     * read them here. */
    int32_t detail_code;
    uint32_t plugin_text_at;
} nph_diag_t;

/* "NPH_E_INVALID" etc. */
const char *nph_error_name(nph_error_t code);

/* Reset a diag to NPH_OK with an empty message. */
void nph_diag_clear(nph_diag_t *diag);

#ifdef __cplusplus
}
#endif

#endif /* NPLUG_HOST_DIAG_H */
