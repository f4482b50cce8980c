/*
 * nph_validate.c - rule P2 (and H2) over everything a library hands over, before the host calls into it (H3).
 *
 * The sizes "at ABI 1.0" below are the smallest struct_size a reader accepts (rule P2). They come from the
 * generated np_layout.g.h (NP_MIN_SIZEOF_<struct>).
 */
#include <stdio.h>
#include <string.h>

#include <nplug_sdk/np_utf8.h>

#include "nph_internal.h"

#define NPH_LIBRARY_SIZE_1_0 ((uint32_t)NP_MIN_SIZEOF_np_library_t)
#define NPH_PLUGIN_SIZE_1_0 ((uint32_t)NP_MIN_SIZEOF_np_plugin_descriptor_t)
#define NPH_TRANSFORM_SIZE_1_0 ((uint32_t)NP_MIN_SIZEOF_np_transform_v1_t)

/* Host policy against garbage lengths (a wild len would make validation itself read out of bounds). */
#define NPH_MAX_TEXT 65536u
#define NPH_MAX_PLUGIN_ID 128u
#define NPH_MAX_PLUGINS 65536u
#define NPH_MAX_INTERFACES 1024u

/* ---- syntax of ids and versions ------------------------------------------------------------------------ */
static int nph_is_lower_alnum(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* ^[a-z0-9]+(\.[a-z0-9_-]+)+$, at most 128 bytes (interop/vectors/plugin-ids.tsv) */
int nph_plugin_id_valid(np_str_t id);
int nph_plugin_id_valid(np_str_t id) {
    uint64_t i = 0, segments = 0;
    if (id.len > NPH_MAX_PLUGIN_ID) return 0;
    while (i < id.len && nph_is_lower_alnum(id.ptr[i])) i++;
    if (i == 0) return 0;
    while (i < id.len) {
        if (id.ptr[i++] != '.') return 0;
        uint64_t start = i;
        while (i < id.len && (nph_is_lower_alnum(id.ptr[i]) || id.ptr[i] == '_' || id.ptr[i] == '-')) i++;
        if (i == start) return 0;
        segments++;
    }
    return segments >= 1;
}

/* ^[a-z0-9]+(\.[a-z0-9_-]+)*\/[1-9][0-9]*$, at most 128 bytes (interop/vectors/interface-ids.tsv) */
int nph_interface_id_valid(np_str_t id);
int nph_interface_id_valid(np_str_t id) {
    uint64_t i = 0;
    if (id.len > NPH_MAX_PLUGIN_ID) return 0;
    while (i < id.len && nph_is_lower_alnum(id.ptr[i])) i++;
    if (i == 0) return 0;
    while (i < id.len && id.ptr[i] == '.') {
        uint64_t start = ++i;
        while (i < id.len && (nph_is_lower_alnum(id.ptr[i]) || id.ptr[i] == '_' || id.ptr[i] == '-')) i++;
        if (i == start) return 0;
    }
    if (i >= id.len || id.ptr[i++] != '/') return 0;
    if (i >= id.len || id.ptr[i] < '1' || id.ptr[i] > '9') return 0;
    while (++i < id.len)
        if (id.ptr[i] < '0' || id.ptr[i] > '9') return 0;
    return 1;
}

/* Semantic version 2.0: MAJOR.MINOR.PATCH (no leading zeros), optional -prerelease and +build. */
static int nph_semver_number(np_str_t s, uint64_t *i) {
    uint64_t start = *i;
    while (*i < s.len && s.ptr[*i] >= '0' && s.ptr[*i] <= '9') (*i)++;
    if (*i == start) return 0;
    return !(s.ptr[start] == '0' && *i - start > 1);
}
/* Dot-separated [0-9A-Za-z-]+. In a pre-release, an identifier of digits only is numeric: no leading zero
 * (semver.org item 9; "1.0.0-rc.01" is invalid). Build metadata may have leading zeros. */
static int nph_semver_identifiers(np_str_t s, uint64_t *i, int pre_release) {
    for (;;) {
        uint64_t start = *i, digits = 0;
        while (*i < s.len && ((s.ptr[*i] >= '0' && s.ptr[*i] <= '9') || (s.ptr[*i] >= 'a' && s.ptr[*i] <= 'z') ||
                              (s.ptr[*i] >= 'A' && s.ptr[*i] <= 'Z') || s.ptr[*i] == '-')) {
            if (s.ptr[*i] >= '0' && s.ptr[*i] <= '9') digits++;
            (*i)++;
        }
        if (*i == start) return 0;
        if (pre_release && digits == *i - start && digits > 1 && s.ptr[start] == '0') return 0;
        if (*i < s.len && s.ptr[*i] == '.') {
            (*i)++;
            continue;
        }
        return 1;
    }
}
int nph_semver_valid(np_str_t v);
int nph_semver_valid(np_str_t v) {
    uint64_t i = 0;
    if (!nph_semver_number(v, &i) || i >= v.len || v.ptr[i++] != '.') return 0;
    if (!nph_semver_number(v, &i) || i >= v.len || v.ptr[i++] != '.') return 0;
    if (!nph_semver_number(v, &i)) return 0;
    if (i < v.len && v.ptr[i] == '-') {
        i++;
        if (!nph_semver_identifiers(v, &i, 1)) return 0;
    }
    if (i < v.len && v.ptr[i] == '+') {
        i++;
        if (!nph_semver_identifiers(v, &i, 0)) return 0;
    }
    return i == v.len;
}

/* ---- strings ------------------------------------------------------------------------------------------- */
/* A readable, well-formed UTF-8 string of plausible length; returns a reason or NULL. */
static const char *nph_check_text(np_str_t s, int required, uint64_t max_len, char *why, size_t why_cap) {
    uint64_t bad = 0;
    if (s.len > 0 && !s.ptr) return "has a NULL pointer with a non-zero length";
    if (s.len > max_len) {
        snprintf(why, why_cap, "is %llu bytes long (at most %llu)", (unsigned long long)s.len,
                 (unsigned long long)max_len);
        return why;
    }
    if (required && s.len == 0) return "is empty";
    if (!np_utf8_validate(s.ptr, s.len, &bad)) {
        snprintf(why, why_cap, "is not valid UTF-8 (byte %llu is 0x%02x)", (unsigned long long)bad,
                 (unsigned)s.ptr[bad]);
        return why;
    }
    return NULL;
}

/* How a plugin is named in messages: its id if that is printable, else its index. */
static void nph_plugin_label(const np_plugin_descriptor_t *p, uint32_t index, char *out, size_t cap) {
    if (p && p->id.ptr && p->id.len > 0 && p->id.len <= NPH_MAX_PLUGIN_ID &&
        np_utf8_validate(p->id.ptr, p->id.len, NULL))
        snprintf(out, cap, "plugin '%.*s'", (int)p->id.len, (const char *)p->id.ptr);
    else
        snprintf(out, cap, "plugin #%u", (unsigned)index);
}

/* ---- np.transform/1 ------------------------------------------------------------------------------------ */
static nph_error_t nph_validate_transform(const char *path, const char *label, const np_transform_v1_t *vt,
                                          nph_diag_t *diag) {
    if (vt->struct_size < NPH_TRANSFORM_SIZE_1_0)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2",
                        "%s: %s: np_transform_v1_t.struct_size is %u, smaller than its ABI 1.0 size %u", path, label,
                        (unsigned)vt->struct_size, (unsigned)NPH_TRANSFORM_SIZE_1_0);
    const char *missing = !vt->create    ? "create"
                          : !vt->destroy ? "destroy"
                          : !vt->process ? "process"
                          : !vt->flush   ? "flush"
                                         : NULL;
    if (missing)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: required function np_transform_v1_t.%s is NULL", path,
                        label, missing);
    return NPH_OK;
}

/* ---- np.state/1 (ABI 1.3): validated only at an agreed minor that defines it; below, an unknown interface ---- */
static nph_error_t nph_validate_state(const char *path, const char *label, const np_state_v1_t *vt, nph_diag_t *diag) {
    if (vt->struct_size < (uint32_t)NP_MIN_SIZEOF_np_state_v1_t)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2",
                        "%s: %s: np_state_v1_t.struct_size is %u, smaller than its ABI 1.3 size %u", path, label,
                        (unsigned)vt->struct_size, (unsigned)NP_MIN_SIZEOF_np_state_v1_t);
    if (!vt->save || !vt->restore)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: required function np_state_v1_t.%s is NULL", path, label,
                        !vt->save ? "save" : "restore");
    return NPH_OK;
}

/* ---- the library -------------------------------------------------------------------------------------- */
nph_error_t nph_validate_library(const char *path, const np_library_t *lib, uint32_t agreed_minor, nph_diag_t *diag) {
    char why[160], label[200];
    const char *problem;
    if (lib->struct_size < NPH_LIBRARY_SIZE_1_0)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2",
                        "%s: np_library_t.struct_size is %u, smaller than its ABI 1.0 size %u", path,
                        (unsigned)lib->struct_size, (unsigned)NPH_LIBRARY_SIZE_1_0);
    if (!lib->init || !lib->deinit)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: required function np_library_t.%s is NULL", path,
                        !lib->init ? "init" : "deinit");
    if ((problem = nph_check_text(lib->sdk, 0, NPH_MAX_TEXT, why, sizeof why)))
        return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: np_library_t.sdk %s", path, problem);
    if (lib->plugin_count > NPH_MAX_PLUGINS)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: np_library_t.plugin_count is %u (implausible; at most %u)",
                        path, (unsigned)lib->plugin_count, NPH_MAX_PLUGINS);
    if (lib->plugin_count > 0 && !lib->plugins)
        return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: np_library_t.plugins is NULL but plugin_count is %u", path,
                        (unsigned)lib->plugin_count);

    for (uint32_t i = 0; i < lib->plugin_count; i++) {
        const np_plugin_descriptor_t *p = lib->plugins[i];
        nph_plugin_label(p, i, label, sizeof label);
        if (!p)
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: np_library_t.plugins[%u] is NULL", path, (unsigned)i);
        if (p->struct_size < NPH_PLUGIN_SIZE_1_0)
            return nph_fail(diag, NPH_E_INVALID, 0, "P2",
                            "%s: %s: np_plugin_descriptor_t.struct_size is %u, smaller than its ABI 1.0 size %u", path,
                            label, (unsigned)p->struct_size, (unsigned)NPH_PLUGIN_SIZE_1_0);
        if ((problem = nph_check_text(p->id, 1, NPH_MAX_PLUGIN_ID, why, sizeof why)))
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: id %s", path, label, problem);
        if (!nph_plugin_id_valid(p->id))
            return nph_fail(diag, NPH_E_INVALID, 0, "P2",
                            "%s: %s: id is not reverse-DNS (^[a-z0-9]+(\\.[a-z0-9_-]+)+$)", path, label);
        if ((problem = nph_check_text(p->name, 1, NPH_MAX_TEXT, why, sizeof why)))
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: name %s", path, label, problem);
        if ((problem = nph_check_text(p->version, 1, NPH_MAX_TEXT, why, sizeof why)))
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: version %s", path, label, problem);
        if (!nph_semver_valid(p->version))
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: version '%.*s' is not a semantic version", path,
                            label, (int)p->version.len, (const char *)p->version.ptr);
        if ((problem = nph_check_text(p->description, 0, NPH_MAX_TEXT, why, sizeof why)))
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: description %s", path, label, problem);
        if ((problem = nph_check_text(p->vendor, 0, NPH_MAX_TEXT, why, sizeof why)))
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: vendor %s", path, label, problem);
        if (p->threading != NP_THREADING_SINGLE && p->threading != NP_THREADING_THREAD_SAFE)
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: threading %u is not a known NP_THREADING_* value",
                            path, label, (unsigned)p->threading);
        if (p->interface_count == 0 || !p->interfaces)
            return nph_fail(diag, NPH_E_INVALID, 0, "P2",
                            "%s: %s: has no interfaces (interface_count %llu, interfaces %s)", path, label,
                            (unsigned long long)p->interface_count, p->interfaces ? "set" : "NULL");
        if (p->interface_count > NPH_MAX_INTERFACES)
            return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: interface_count %llu is implausible", path, label,
                            (unsigned long long)p->interface_count);
        for (uint64_t k = 0; k < p->interface_count; k++) {
            const np_interface_t *itf = &p->interfaces[k];
            if ((problem = nph_check_text(itf->id, 1, NPH_MAX_PLUGIN_ID, why, sizeof why)))
                return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: interface #%llu id %s", path, label,
                                (unsigned long long)k, problem);
            if (!nph_interface_id_valid(itf->id))
                return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: interface id '%.*s' is not name/revision", path,
                                label, (int)itf->id.len, (const char *)itf->id.ptr);
            if (!itf->vtable)
                return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: interface '%.*s' has a NULL vtable", path, label,
                                (int)itf->id.len, (const char *)itf->id.ptr);
            for (uint64_t j = 0; j < k; j++)
                if (np_str_eq(p->interfaces[j].id, itf->id))
                    return nph_fail(diag, NPH_E_INVALID, 0, "P2", "%s: %s: interface '%.*s' is listed twice", path,
                                    label, (int)itf->id.len, (const char *)itf->id.ptr);
            if (np_str_eq_cstr(itf->id, NP_TRANSFORM_ID)) {
                nph_error_t e = nph_validate_transform(path, label, (const np_transform_v1_t *)itf->vtable, diag);
                if (e != NPH_OK) return e;
            }
            if (agreed_minor >= NPH_STATE_MINOR && np_str_eq_cstr(itf->id, NP_STATE_ID)) {
                nph_error_t e = nph_validate_state(path, label, (const np_state_v1_t *)itf->vtable, diag);
                if (e != NPH_OK) return e;
            }
        }
        for (uint32_t j = 0; j < i; j++)
            if (np_str_eq(lib->plugins[j]->id, p->id))
                return nph_fail(diag, NPH_E_DUPLICATE, 0, "P2",
                                "%s: %s: the library declares this id twice (plugins #%u and #%u)", path, label,
                                (unsigned)j, (unsigned)i);
    }
    return NPH_OK;
}

nph_error_t nph_resolve_transform(nph_library_t *library, const np_plugin_descriptor_t *plugin, nph_transform_t *out,
                                  nph_diag_t *diag) {
    for (uint64_t k = 0; k < plugin->interface_count; k++) {
        if (!np_str_eq_cstr(plugin->interfaces[k].id, NP_TRANSFORM_ID)) continue;
        const np_transform_v1_t *vt = (const np_transform_v1_t *)plugin->interfaces[k].vtable;
        memset(out, 0, sizeof *out);
        out->library = library;
        out->plugin = plugin;
        out->vtable = vt;
        out->create = vt->create;
        out->destroy = vt->destroy;
        out->process = vt->process;
        out->flush = vt->flush;
        /* H2: stats exists from 1.1 on, and only when the library's struct reaches it. */
        if (library->negotiation.abi_minor >= 1 && NP_HAS_FIELD(vt, np_transform_v1_t, stats)) out->stats = vt->stats;
        /* np.state/1 of the same plugin, validated at load (nph_validate_state). */
        for (uint64_t j = 0; library->negotiation.abi_minor >= NPH_STATE_MINOR && j < plugin->interface_count; j++) {
            if (!np_str_eq_cstr(plugin->interfaces[j].id, NP_STATE_ID)) continue;
            const np_state_v1_t *state = (const np_state_v1_t *)plugin->interfaces[j].vtable;
            out->save_state = state->save;
            out->restore_state = state->restore;
        }
        return NPH_OK;
    }
    return nph_fail(diag, NPH_E_NOT_FOUND, 0, NULL, "%s: plugin '%.*s' does not implement %s", library->path,
                    (int)plugin->id.len, (const char *)plugin->id.ptr, NP_TRANSFORM_ID);
}
