/*
 * npw_call.c - the generic stub of a host's own interfaces: NPW_OP_CALL_CREATE makes an instance through the
 * interface's @create with a host table of its own (np_c_host's, so allocation accounting and rule P4 are the C
 * host's), NPW_OP_CALL calls one vtable function with libffi from the signature description, NPW_OP_CALL_DESTROY
 * ends it. Arguments come from the input memfd (np_str_t / np_bytes_t point straight into it: no copy here), an
 * np_out_bytes_t result is written straight into the output memfd (grown as the plugin reserves), so a call costs
 * one request and one copy per direction whatever its arguments.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npw_call.h"
/* np_c_host's private host table and guard bytes: this worker is np_c_host's own companion (same build). */
#include "nph_internal.h"

#define NPW_ERROR_BYTES 1024u

typedef struct npw_call_instance {
    nph_library_t *library;
    nph_table_t table; /* the instance's np_host_t: valid until destroy returns (H7) */
    void *instance;
    npw_fn_t *fns;
    uint32_t fn_count;
    uint32_t destroy_index;
    const char *poisoned; /* why only destroy may be called any more; NULL while healthy */
} npw_call_instance_t;

struct npw_calls {
    npw_call_instance_t **items; /* id - 1 -> instance; NULL once destroyed */
    uint32_t count, cap;
};

/* ---- replies (npw_protocol.h: a failure names the plugin and the reason on one line; success is npw_reply_ok) */
static void npw_call_fail(npw_control_t *c, int32_t result, nph_error_t code, np_status status, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void npw_call_fail(npw_control_t *c, int32_t result, nph_error_t code, np_status status, const char *fmt, ...) {
    npw_reply_ok(c);
    c->result = result;
    c->nph_error = (int32_t)code;
    c->status = status;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(c->message, NPW_MESSAGE_MAX, fmt, args);
    va_end(args);
    c->message_len = n < 0 ? 0 : n >= (int)NPW_MESSAGE_MAX ? NPW_MESSAGE_MAX - 1 : (uint32_t)n;
}

static npw_call_instance_t *npw_call_find(npw_worker_t *w, uint32_t id) {
    struct npw_calls *calls = w->calls;
    return calls && id >= 1 && id <= calls->count ? calls->items[id - 1] : NULL;
}

static void npw_call_free(npw_call_instance_t *ci) {
    if (ci->instance) {
        ((void(NP_CDECL *)(void *))ci->fns[ci->destroy_index].ptr)(ci->instance);
        ci->library->instance_count--;
        if (nph_table_live_bytes(&ci->table))
            nph_host_log(ci->table.host, NP_LOG_WARN, ci->table.scope,
                         "%llu bytes of host memory still allocated after destroy (rule P4)",
                         (unsigned long long)nph_table_live_bytes(&ci->table));
    }
    free(ci->fns);
    free(ci);
}

/* ---- NPW_OP_CALL_CREATE ------------------------------------------------------------------------------------ */
static const np_plugin_descriptor_t *npw_find_plugin(nph_library_t *library, const char *id) {
    for (uint32_t i = 0; i < nph_library_plugin_count(library); i++) {
        const np_plugin_descriptor_t *p = nph_library_plugin(library, i);
        if (p->id.len == strlen(id) && memcmp(p->id.ptr, id, p->id.len) == 0) return p;
    }
    return NULL;
}

static void npw_call_create(npw_worker_t *w) {
    npw_control_t *c = w->control;
    if (!w->library || npw_channel_sync_input(w) != 0 || c->arg_len > w->input.size) {
        npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0, "nplug-worker: no library, or a bad argument");
        return;
    }
    /* plugin id NUL interface id NUL config NUL description */
    const char *arg = (const char *)w->input.base;
    const char *parts[4];
    size_t at = 0;
    for (int i = 0; i < 4; i++) {
        parts[i] = arg + at;
        const char *nul = i < 3 ? memchr(arg + at, 0, (size_t)c->arg_len - at) : NULL;
        if (i < 3 && !nul) {
            npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0, "nplug-worker: malformed CALL_CREATE argument");
            return;
        }
        if (nul) at = (size_t)(nul - arg) + 1;
    }
    const char *plugin_id = parts[0], *interface_id = parts[1], *config = parts[2];
    size_t desc_len = (size_t)c->arg_len - at;
    const char *file = nph_basename(nph_library_path(w->library));
    const np_plugin_descriptor_t *plugin = npw_find_plugin(w->library, plugin_id);
    const void *vtable = NULL;
    uint32_t size = 0;
    for (uint64_t k = 0; plugin && k < plugin->interface_count; k++) {
        const np_str_t id = plugin->interfaces[k].id;
        if (id.len == strlen(interface_id) && memcmp(id.ptr, interface_id, id.len) == 0) {
            vtable = plugin->interfaces[k].vtable;
            size = nph_plugin_interface_size(plugin, k);
        }
    }
    if (!vtable) {
        npw_call_fail(c, NPW_R_FAILED, NPH_E_NOT_FOUND, 0, "%s: plugin '%s' does not implement %s", file, plugin_id,
                      interface_id);
        return;
    }
    char why[256];
    npw_call_instance_t *ci = (npw_call_instance_t *)calloc(1, sizeof *ci);
    if (!ci || !(ci->fns = npw_signature_parse(parts[3], desc_len, &ci->fn_count, why, sizeof why))) {
        npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0, "nplug-worker: %s: %s", interface_id,
                      ci ? why : "out of memory");
        free(ci);
        return;
    }
    /* The plugin's pointers, read where its struct_size covers them (rule H2); a required one must be there. */
    uint64_t mask = 0;
    int create = -1, destroy = -1;
    for (uint32_t i = 0; i < ci->fn_count; i++) {
        npw_fn_t *fn = &ci->fns[i];
        fn->ptr = NULL;
        if (fn->offset + sizeof fn->ptr <= size) memcpy(&fn->ptr, (const uint8_t *)vtable + fn->offset, sizeof fn->ptr);
        if (!fn->ptr && fn->required) {
            npw_call_fail(c, NPW_R_FAILED, NPH_E_INVALID, 0,
                          "%s: plugin '%s': %s.%s is NULL or beyond its struct_size %u", file, plugin_id, interface_id,
                          fn->name, size);
            npw_call_free(ci);
            return;
        }
        if (fn->ptr && i < 64) mask |= 1ull << i;
        if (fn->role == NPW_ROLE_CREATE) create = (int)i;
        if (fn->role == NPW_ROLE_DESTROY) destroy = (int)i;
    }
    if (create < 0 || destroy < 0) {
        npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0,
                      "nplug-worker: %s: the description has no @create/@destroy", interface_id);
        npw_call_free(ci);
        return;
    }
    ci->destroy_index = (uint32_t)destroy;
    ci->library = w->library;
    nph_table_init(&ci->table, w->host, nph_library_agreed_minor(w->library), plugin_id);

    uint8_t buffer[NPW_ERROR_BYTES + NPH_GUARD_BYTES];
    np_error_t error = {buffer, NPW_ERROR_BYTES, 0, 0, 0};
    nph_guard_write(buffer + NPW_ERROR_BYTES);
    np_str_t cfg = {(const uint8_t *)config, (uint64_t)strlen(config)};
    void *instance = NULL;
    np_status status = ((np_status(NP_CDECL *)(const np_host_t *, np_str_t, void **, np_error_t *))ci->fns[create].ptr)(
        &ci->table.table, cfg, &instance, &error);
    const char *broken = !nph_guard_intact(buffer + NPW_ERROR_BYTES)
                             ? "wrote past the end of the error buffer (rule P5)"
                         : status == NP_OK && !instance ? "returned NP_OK without an instance"
                                                        : NULL;
    if (broken || status != NP_OK) {
        if (status == NP_OK && instance) ((void(NP_CDECL *)(void *))ci->fns[destroy].ptr)(instance);
        if (broken) {
            npw_call_fail(c, NPW_R_FAILED, NPH_E_PROTOCOL, status, "%s: plugin '%s': %s %s", file, plugin_id,
                          ci->fns[create].name, broken);
        } else {
            uint64_t n = error.len < NPW_ERROR_BYTES ? error.len : NPW_ERROR_BYTES;
            npw_call_fail(c, NPW_R_FAILED, NPH_E_PLUGIN, status, "%.*s", (int)n, (const char *)buffer);
            c->detail_code = error.code;
        }
        npw_call_free(ci);
        return;
    }
    ci->instance = instance;
    w->library->instance_count++;

    struct npw_calls *calls = w->calls;
    if (!calls && !(calls = w->calls = (struct npw_calls *)calloc(1, sizeof *calls))) goto out_of_memory;
    if (calls->count == calls->cap) {
        uint32_t cap = calls->cap ? calls->cap * 2 : 8;
        npw_call_instance_t **grown = (npw_call_instance_t **)realloc(calls->items, cap * sizeof *grown);
        if (!grown) goto out_of_memory;
        calls->items = grown;
        calls->cap = cap;
    }
    if (npw_output_reserve_bytes(w, 2 * sizeof(uint64_t)) != 0) goto out_of_memory;
    calls->items[calls->count++] = ci;
    npw_output_reset(w);
    uint64_t reply[2] = {mask, size};
    memcpy(w->emitter.em.data, reply, sizeof reply);
    w->emitter.em.data_used = sizeof reply;
    npw_reply_ok(c);
    c->value = calls->count;
    npw_output_publish(w);
    npw_output_reset(w);
    return;
out_of_memory:
    npw_call_free(ci);
    npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_MEMORY, 0, "nplug-worker: out of memory");
}

/* ---- NPW_OP_CALL ------------------------------------------------------------------------------------------- */
/* The np_out_bytes_t of a call: its storage is the output memfd's data area, a guard right after the capacity the
 * plugin is told. */
typedef struct npw_out {
    np_out_bytes_t out; /* first: reserve gets this pointer */
    npw_worker_t *w;
    uint64_t capacity; /* what the worker gave, never the plugin-writable field */
} npw_out_t;

static np_status NP_CDECL npw_out_reserve(np_out_bytes_t *out, uint64_t additional) {
    npw_out_t *o = (npw_out_t *)(void *)out;
    np_emitter_t *em = &o->w->emitter.em;
    if (out->data != em->data || out->capacity != o->capacity || out->len > out->capacity ||
        !nph_guard_intact(em->data + o->capacity))
        return NP_ERR_INVALID_ARGUMENT; /* reported after the call, with the evidence kept */
    if (additional > UINT64_MAX / 4 - out->len) return NP_ERR_OUT_OF_MEMORY;
    uint64_t needed = out->len + additional;
    if (needed <= out->capacity) return NP_OK;
    uint64_t grown = needed > out->capacity * 2 ? needed : out->capacity * 2;
    em->data_used = out->len; /* what the storage keeps if the data area moves */
    if (npw_output_reserve_bytes(o->w, grown + NPH_GUARD_BYTES) != 0) return NP_ERR_OUT_OF_MEMORY;
    o->capacity = em->data_capacity - NPH_GUARD_BYTES;
    nph_guard_write(em->data + o->capacity);
    out->data = em->data;
    out->capacity = o->capacity;
    return NP_OK;
}

static void npw_call_invoke(npw_worker_t *w) {
    npw_control_t *c = w->control;
    npw_call_instance_t *ci = npw_call_find(w, c->instance);
    if (!ci || c->request_value >= ci->fn_count || ci->fns[c->request_value].role != NPW_ROLE_METHOD ||
        !ci->fns[c->request_value].ptr) {
        npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0, "nplug-worker: no such call instance or function");
        return;
    }
    npw_fn_t *fn = &ci->fns[c->request_value];
    const char *file = nph_basename(nph_library_path(ci->library));
    if (ci->poisoned) {
        npw_call_fail(c, NPW_R_FAILED, NPH_E_STATE, NP_ERR_STATE, "%s: plugin '%s': the instance is poisoned: %s", file,
                      ci->table.scope, ci->poisoned);
        return;
    }
    if (npw_channel_sync_input(w) != 0 || c->input_count > w->input.size / sizeof(uint64_t)) {
        npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0,
                      "nplug-worker: the arguments lie outside the input memfd");
        return;
    }
    const uint64_t *slots = (const uint64_t *)(const void *)w->input.base;
    uint64_t slot = 0;
    uint64_t scalars[NPW_MAX_PARAMS];
    np_str_t pairs[NPW_MAX_PARAMS];
    void *pointers[NPW_MAX_PARAMS];
    void *values[NPW_MAX_PARAMS];
    uint64_t out_scalar = 0;
    uint8_t error_buffer[NPW_ERROR_BYTES + NPH_GUARD_BYTES];
    np_error_t error = {error_buffer, NPW_ERROR_BYTES, 0, 0, 0};
    nph_guard_write(error_buffer + NPW_ERROR_BYTES);
    npw_out_t out;
    memset(&out, 0, sizeof out);
    int has_out = 0, has_error = 0;
    npw_output_reset(w);
    for (uint32_t i = 0; i < fn->param_count; i++) {
        switch (fn->params[i].kind) {
        case NPW_K_SELF: values[i] = &ci->instance; break;
        case NPW_K_PAIR: {
            if (slot + 2 > c->input_count) goto bad_slots;
            uint64_t offset = slots[slot], len = slots[slot + 1];
            slot += 2;
            if (offset > w->input.size || len > w->input.size - offset) goto bad_slots;
            pairs[i].ptr = len ? w->input.base + offset : NULL;
            pairs[i].len = len;
            values[i] = &pairs[i];
            break;
        }
        case NPW_K_OUT_BYTES:
            if (npw_output_reserve_bytes(w, 256) != 0) {
                npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_MEMORY, 0, "nplug-worker: out of memory");
                return;
            }
            out.w = w;
            out.capacity = w->emitter.em.data_capacity - NPH_GUARD_BYTES;
            out.out.struct_size = (uint32_t)sizeof(np_out_bytes_t);
            out.out.data = w->emitter.em.data;
            out.out.capacity = out.capacity;
            out.out.reserve = npw_out_reserve;
            nph_guard_write(out.out.data + out.capacity);
            pointers[i] = &out.out;
            values[i] = &pointers[i];
            has_out = 1;
            break;
        case NPW_K_OUT_SCALAR:
            pointers[i] = &out_scalar;
            values[i] = &pointers[i];
            break;
        case NPW_K_ERROR:
            pointers[i] = &error;
            values[i] = &pointers[i];
            has_error = 1;
            break;
        default: /* a scalar: its low bytes are the value (little-endian, as every target of the ABI) */
            if (slot + 1 > c->input_count) goto bad_slots;
            scalars[i] = slots[slot++];
            values[i] = &scalars[i];
            break;
        }
    }
    ffi_arg ret = 0;
    ffi_call(&fn->cif, FFI_FN(fn->ptr), &ret, values);

    /* The plugin's writes, checked before anything it wrote is read (rules P5, P10). */
    const char *broken = NULL;
    if (has_error && !nph_guard_intact(error_buffer + NPW_ERROR_BYTES))
        broken = ci->poisoned = "wrote past the end of the error buffer (rule P5)";
    else if (has_out && !nph_guard_intact(w->emitter.em.data + out.capacity))
        broken = ci->poisoned = "wrote past the end of its np_out_bytes_t buffer (rule P10)";
    else if (has_out && out.out.data != w->emitter.em.data)
        broken = "changed np_out_bytes_t.data (only reserve may move it) (rule P10)";
    else if (has_out && (out.out.capacity != out.capacity || out.out.len > out.capacity))
        broken = "broke np_out_bytes_t's len/capacity (rule P10)";
    if (broken) {
        npw_output_reset(w);
        npw_call_fail(c, NPW_R_FAILED, NPH_E_PROTOCOL, fn->ret == NPW_K_STATUS ? (np_status)(int32_t)ret : 0,
                      "%s: plugin '%s': %s %s", file, ci->table.scope, fn->name, broken);
        npw_output_publish(w);
        return;
    }
    npw_reply_ok(c);
    c->value = fn->ret == NPW_K_STATUS ? (uint64_t)(uint32_t)(int32_t)ret : (uint64_t)ret;
    c->stats[0] = out_scalar;
    if (fn->ret == NPW_K_STATUS && (int32_t)ret != NP_OK && has_error) {
        uint64_t n = error.len < NPW_ERROR_BYTES ? error.len : NPW_ERROR_BYTES;
        if (n >= NPW_MESSAGE_MAX) n = NPW_MESSAGE_MAX - 1;
        memcpy(c->message, error_buffer, (size_t)n);
        c->message_len = (uint32_t)n;
        c->detail_code = error.code;
        c->status = (int32_t)ret;
    }
    w->emitter.em.data_used = has_out && (fn->ret != NPW_K_STATUS || (int32_t)ret == NP_OK) ? out.out.len : 0;
    npw_output_publish(w);
    npw_output_reset(w);
    return;
bad_slots:
    npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0, "nplug-worker: %s: the arguments do not match its signature",
                  fn->name);
}

/* ---- NPW_OP_CALL_DESTROY / EXIT ---------------------------------------------------------------------------- */
static void npw_call_destroy(npw_worker_t *w) {
    npw_control_t *c = w->control;
    npw_call_instance_t *ci = npw_call_find(w, c->instance);
    if (!ci) {
        npw_call_fail(c, NPW_R_BAD_REQUEST, NPH_E_ARGUMENT, 0, "nplug-worker: no such call instance");
        return;
    }
    w->calls->items[c->instance - 1] = NULL;
    npw_call_free(ci);
    npw_reply_ok(c);
}

int npw_call_serve(npw_worker_t *w) {
    switch (w->control->op) {
    case NPW_OP_CALL_CREATE: npw_call_create(w); return 1;
    case NPW_OP_CALL: npw_call_invoke(w); return 1;
    case NPW_OP_CALL_DESTROY: npw_call_destroy(w); return 1;
    default: return 0;
    }
}

void npw_call_shutdown(npw_worker_t *w) {
    struct npw_calls *calls = w->calls;
    if (!calls) return;
    for (uint32_t i = 0; i < calls->count; i++)
        if (calls->items[i]) npw_call_free(calls->items[i]);
    free(calls->items);
    free(calls);
    w->calls = NULL;
}
