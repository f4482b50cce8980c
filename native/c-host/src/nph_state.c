/*
 * nph_state.c - np.state/1 (ABI 1.3, interop/include/nplug/ext/np_state.h) for np_c_host's instances: save an
 * instance's state into bytes the caller owns, restore bytes into an instance. The same checks as the .NET host
 * (TransformInstance.State.cs): the np_out_bytes_t protocol of save (rule P10, with guard bytes after the capacity
 * the plugin is told), the message contract of a failing status (P5), and a write past the error buffer or the
 * output poisons the instance. A blob the plugin does not understand is its own NP_ERR_INPUT (rule P13); this host
 * never looks inside a blob. Used by the isolation worker (native/worker/src/npw_state.c).
 */
#include <stdlib.h>
#include <string.h>

#include "nph_internal.h"

#define NPH_WHO_FMT "%s: plugin '%.*s'"
#define NPH_WHO_ARG(t) (t)->library->path, (int)(t)->plugin->id.len, (const char *)(t)->plugin->id.ptr
#define NPH_STATE_INITIAL 256u
#define NPH_STATE_MAX (UINT64_MAX / 4) /* far beyond any allocation: only keeps the growth arithmetic exact */

/* The save's np_out_bytes_t: a heap buffer with NPH_GUARD_BYTES after the capacity the plugin is told, and the
 * host's own record of both (the plugin may change the np_out_bytes_t fields only through reserve). */
typedef struct nph_state_out {
    np_out_bytes_t out; /* first: reserve gets this pointer */
    uint8_t *data;
    uint64_t capacity;
} nph_state_out_t;

static np_status NP_CDECL nph_state_reserve(np_out_bytes_t *out, uint64_t additional) {
    nph_state_out_t *o = (nph_state_out_t *)(void *)out;
    /* A buffer the plugin already broke is not moved (that would lose the evidence): reported after the call. */
    if (out->data != o->data || out->capacity != o->capacity || out->len > out->capacity ||
        !nph_guard_intact(o->data + o->capacity))
        return NP_ERR_INVALID_ARGUMENT;
    if (additional > NPH_STATE_MAX - out->len) return NP_ERR_OUT_OF_MEMORY;
    uint64_t needed = out->len + additional;
    if (needed <= o->capacity) return NP_OK;
    uint64_t grown = needed > o->capacity * 2 ? needed : o->capacity * 2;
    uint8_t *data = (uint8_t *)realloc(o->data, (size_t)grown + NPH_GUARD_BYTES);
    if (!data) return NP_ERR_OUT_OF_MEMORY;
    nph_guard_write(data + grown);
    o->data = out->data = data;
    o->capacity = out->capacity = grown;
    return NP_OK;
}

int nph_instance_supports_state(const nph_instance_t *inst) {
    return inst && inst->transform.save_state && inst->transform.restore_state;
}

static nph_error_t nph_state_missing(const nph_instance_t *inst, const char *call, nph_diag_t *diag) {
    const nph_transform_t *t = &inst->transform;
    return nph_fail(diag, NPH_E_NOT_FOUND, 0, NULL,
                    NPH_WHO_FMT ": %s: the plugin offers no %s at the agreed ABI minor (1.3 or later)", NPH_WHO_ARG(t),
                    call, NP_STATE_ID);
}

/* After save or restore, before anything the plugin wrote is read: a write past the error buffer (or the output)
 * poisons the instance, a broken np_out_bytes_t is a protocol violation, then the status. out may be NULL. */
static nph_error_t nph_state_after(nph_instance_t *inst, const char *call, np_status status, const np_error_t *error,
                                   const nph_state_out_t *out, nph_diag_t *diag) {
    const nph_transform_t *t = &inst->transform;
    const char *poison = !nph_guard_intact(inst->error_guard) ? "wrote past the end of the error buffer"
                         : out && !nph_guard_intact(out->data + out->capacity)
                             ? "wrote past the end of its np_out_bytes_t buffer"
                             : NULL;
    if (poison) {
        inst->poisoned = poison;
        return nph_fail(diag, NPH_E_PROTOCOL, status, out ? "P10" : "P5",
                        NPH_WHO_FMT ": %s %s; the instance is poisoned", NPH_WHO_ARG(t), call, poison);
    }
    const char *broken = !out                                 ? NULL
                         : out->out.data != out->data         ? "changed np_out_bytes_t.data (only reserve may move it)"
                         : out->out.capacity != out->capacity ? "changed np_out_bytes_t.capacity"
                         : out->out.len > out->capacity       ? "raised np_out_bytes_t.len beyond its capacity"
                                                              : NULL;
    if (broken)
        return nph_fail(diag, NPH_E_PROTOCOL, status, "P10", NPH_WHO_FMT ": %s %s", NPH_WHO_ARG(t), call, broken);
    if (status != NP_OK) return nph_call_failed(t, call, status, error, diag);
    if (error->len != 0)
        nph_host_log(inst->host, NP_LOG_WARN, inst->table.scope, "%s succeeded but wrote an error message (rule P5)",
                     call);
    return NPH_OK;
}

nph_error_t nph_instance_save_state(nph_instance_t *inst, uint8_t **out_data, uint64_t *out_len, nph_diag_t *diag) {
    nph_diag_clear(diag);
    if (out_data) *out_data = NULL;
    if (out_len) *out_len = 0;
    if (!inst || !out_data || !out_len)
        return nph_fail(diag, NPH_E_ARGUMENT, 0, NULL, "instance_save_state: NULL argument");
    if (inst->poisoned) return nph_refuse_poisoned(inst, "save", diag);
    if (!nph_instance_supports_state(inst)) return nph_state_missing(inst, "save", diag);
    nph_state_out_t out;
    memset(&out, 0, sizeof out);
    out.capacity = NPH_STATE_INITIAL;
    out.data = (uint8_t *)malloc(NPH_STATE_INITIAL + NPH_GUARD_BYTES);
    if (!out.data) return nph_fail(diag, NPH_E_MEMORY, 0, NULL, "out of memory");
    nph_guard_write(out.data + out.capacity);
    out.out.struct_size = (uint32_t)sizeof(np_out_bytes_t);
    out.out.data = out.data;
    out.out.capacity = out.capacity;
    out.out.reserve = nph_state_reserve;
    np_error_t error = nph_error_buffer(inst);
    np_status status = inst->transform.save_state(inst->instance, &out.out, &error);
    nph_error_t e = nph_state_after(inst, "save", status, &error, &out, diag);
    if (e != NPH_OK || out.out.len == 0) {
        free(out.data);
        return e;
    }
    *out_data = out.data;
    *out_len = out.out.len;
    return NPH_OK;
}

nph_error_t nph_instance_restore_state(nph_instance_t *inst, const uint8_t *data, uint64_t len, nph_diag_t *diag) {
    nph_diag_clear(diag);
    if (!inst || (!data && len != 0))
        return nph_fail(diag, NPH_E_ARGUMENT, 0, NULL, "instance_restore_state: NULL argument");
    if (inst->poisoned) return nph_refuse_poisoned(inst, "restore", diag);
    if (!nph_instance_supports_state(inst)) return nph_state_missing(inst, "restore", diag);
    np_bytes_t state = {len ? data : NULL, len};
    np_error_t error = nph_error_buffer(inst);
    np_status status = inst->transform.restore_state(inst->instance, state, &error);
    return nph_state_after(inst, "restore", status, &error, NULL, diag);
}

void nph_state_free(uint8_t *data) { free(data); }
