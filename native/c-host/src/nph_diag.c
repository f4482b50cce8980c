/*
 * nph_diag.c - typed errors with messages that name the file, the plugin, the reason and the rule.
 */
#include <stdio.h>
#include <string.h>

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
    diag->detail_code = 0;
    diag->plugin_text_at = 0;
}

/* Length of the valid UTF-8 sequence at s[0..len), 0 when there is none (ill-formed or cut short). */
static size_t nph_utf8_sequence(const uint8_t *s, size_t len, uint32_t *cp) {
    uint8_t c = s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || n > len) return 0;
    uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[k] & 0x3Fu);
    }
    if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000)) return 0; /* overlong */
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

static int nph_breaks_the_line(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F || cp == 0x2028 ||
           cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t nph_one_line(const uint8_t *in, size_t len, char *out, size_t cap) {
    if (cap == 0) return 0;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = nph_utf8_sequence(in + i, len - i, &cp);
        char piece[16];
        size_t pl;
        if (n == 0) { /* a byte outside any valid sequence, on its own (as a maximal-subpart decoder shows it too) */
            pl = (size_t)snprintf(piece, sizeof piece, "\\x%02x", in[i]);
            n = 1;
        } else if (nph_breaks_the_line(cp)) {
            pl = (size_t)snprintf(piece, sizeof piece, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
        } else {
            memcpy(piece, in + i, n);
            pl = n;
        }
        if (o + pl > cap - 1) break; /* cut before a piece, never inside an escape or a character */
        memcpy(out + o, piece, pl);
        o += pl;
        i += n;
    }
    out[o] = 0;
    return o;
}

nph_error_t nph_fail(nph_diag_t *diag, nph_error_t code, np_status status, const char *rule, const char *fmt, ...) {
    if (!diag) return code;
    diag->code = code;
    diag->status = status;
    diag->rule = rule;
    char raw[sizeof diag->message];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, args);
    va_end(args);
    size_t raw_len = n < 0 ? 0 : ((size_t)n < sizeof raw ? (size_t)n : sizeof raw - 1);
    char suffix[32] = "";
    size_t sl = 0;
    if (rule) { /* the rule must survive truncation: it goes at the end, cutting the message if needed */
        int m = snprintf(suffix, sizeof suffix, " (rule %s)", rule);
        sl = m < 0 ? 0 : ((size_t)m < sizeof suffix ? (size_t)m : sizeof suffix - 1);
    }
    /* Plugin text (ids, messages, file names) is echoed into diagnostics: one line, no terminal control, valid UTF-8
     * whatever it was (interop/README.md section 5, vectors/display-text.tsv). Idempotent, so the host's own text
     * passes unchanged. */
    size_t len = nph_one_line((const uint8_t *)raw, raw_len, diag->message, sizeof diag->message - sl);
    memcpy(diag->message + len, suffix, sl);
    len += sl;
    diag->message[len] = 0;
    return code;
}

const char *nph_basename(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
