/*
 * nph_diag.c - typed errors with messages that name the file, the plugin, the reason and the rule.
 */
#include <stdio.h>
#include <string.h>

#include <nplug_sdk/np_utf8.h>

#include "nph_internal.h"

const char *nph_error_name(nph_error_t code) {
    switch (code) {
    case NPH_OK: return "NPH_OK";
    case NPH_E_ARGUMENT: return "NPH_E_ARGUMENT";
    case NPH_E_OPEN: return "NPH_E_OPEN";
    case NPH_E_NO_ENTRY: return "NPH_E_NO_ENTRY";
    case NPH_E_VERSION: return "NPH_E_VERSION";
    case NPH_E_ENTRY: return "NPH_E_ENTRY";
    case NPH_E_LAYOUT: return "NPH_E_LAYOUT";
    case NPH_E_INVALID: return "NPH_E_INVALID";
    case NPH_E_DUPLICATE: return "NPH_E_DUPLICATE";
    case NPH_E_INIT: return "NPH_E_INIT";
    case NPH_E_NOT_FOUND: return "NPH_E_NOT_FOUND";
    case NPH_E_PLUGIN: return "NPH_E_PLUGIN";
    case NPH_E_PROTOCOL: return "NPH_E_PROTOCOL";
    case NPH_E_MEMORY: return "NPH_E_MEMORY";
    case NPH_E_STATE: return "NPH_E_STATE";
    }
    return "NPH_E_?";
}

void nph_diag_clear(nph_diag_t *diag) {
    if (!diag) return;
    diag->code = NPH_OK;
    diag->status = NP_OK;
    diag->rule = NULL;
    diag->message[0] = 0;
}

nph_error_t nph_fail(nph_diag_t *diag, nph_error_t code, np_status status, const char *rule, const char *fmt, ...) {
    if (!diag) return code;
    diag->code = code;
    diag->status = status;
    diag->rule = rule;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(diag->message, sizeof diag->message, fmt, args);
    va_end(args);
    size_t len = n < 0 ? 0 : ((size_t)n < sizeof diag->message ? (size_t)n : sizeof diag->message - 1);
    if (rule) { /* the rule must survive truncation: it goes at the end, cutting the message if needed */
        char suffix[32];
        int m = snprintf(suffix, sizeof suffix, " (rule %s)", rule);
        size_t sl = m < 0 ? 0 : ((size_t)m < sizeof suffix ? (size_t)m : sizeof suffix - 1);
        if (len + sl >= sizeof diag->message) len = sizeof diag->message - 1 - sl;
        memcpy(diag->message + len, suffix, sl);
        len += sl;
    }
    /* Plugin text (ids, messages) is echoed into diagnostics: keep them valid UTF-8 whatever it was. */
    len = (size_t)np_utf8_repair((uint8_t *)diag->message, len);
    diag->message[len] = 0;
    return code;
}

const char *nph_basename(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
