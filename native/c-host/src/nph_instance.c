/*
 * nph_instance.c - np.transform/1 instances: create with a per-instance host table, process/flush with the
 * emitter protocol checked after every call (P10), failures turned into messages naming file and plugin (P5),
 * leak accounting at destroy (P4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nplug_sdk/np_utf8.h>

#include "nph_internal.h"

/* "file: plugin 'id'" prefix pieces. */
#define NPH_WHO_FMT "%s: plugin '%.*s'"
#define NPH_WHO_ARG(t) (t)->library->path, (int)(t)->plugin->id.len, (const char *)(t)->plugin->id.ptr

np_error_t nph_error_buffer(nph_instance_t *inst) {
    np_error_t error = {inst->error_buffer, sizeof inst->error_buffer, 0, 0, 0};
    nph_guard_write(inst->error_guard);
    return error;
}

/* After every call, before anything the plugin wrote is read: a write past the error buffer or past the emitter's
 * capacity poisons the instance (memory it must not touch was written; only destroy remains, as in the .NET host). */
static nph_error_t nph_check_overrun(nph_instance_t *inst, const char *call, np_status status, const char *emitter,
                                     nph_diag_t *diag) {
    int error_overrun = !nph_guard_intact(inst->error_guard);
    const char *what = error_overrun ? "wrote past the end of the error buffer (capacity)" : emitter;
    if (!what) return NPH_OK;
    inst->poisoned =
        error_overrun ? "wrote past the end of the error buffer" : "wrote past the end of the output buffer";
    const nph_transform_t *t = &inst->transform;
    return nph_fail(diag, NPH_E_PROTOCOL, status, "P10", NPH_WHO_FMT ": %s %s; the instance is poisoned",
                    NPH_WHO_ARG(t), call, what);
}

nph_error_t nph_refuse_poisoned(const nph_instance_t *inst, const char *call, nph_diag_t *diag) {
    const nph_transform_t *t = &inst->transform;
    return nph_fail(diag, NPH_E_PROTOCOL, 0, NULL,
                    NPH_WHO_FMT ": %s refused: the instance is poisoned (an earlier call %s); only destroy remains",
                    NPH_WHO_ARG(t), call, inst->poisoned);
}

/* Turn a failed call into a diagnostic; checks the message contract (P5). */
nph_error_t nph_call_failed(const nph_transform_t *t, const char *call, np_status status, const np_error_t *error,
                            nph_diag_t *diag) {
    if (status > 0)
        return nph_fail(diag, NPH_E_PROTOCOL, status, "P5", NPH_WHO_FMT ": %s returned the positive status %d",
                        NPH_WHO_ARG(t), call, (int)status);
    if (error->len == 0 || error->len > error->capacity)
        return nph_fail(diag, NPH_E_PLUGIN, status, "P5", NPH_WHO_FMT ": %s failed with %s and gave no message",
                        NPH_WHO_ARG(t), call, np_status_name(status));
    uint64_t len = error->len;
    if (!np_utf8_validate(error->message, len, NULL))
        len = np_utf8_repair(error->message, len); /* show it anyway; the message broke P5 */
    nph_error_t e;
    if (status < NP_ERR_PANIC) /* a code this host does not know: treated as NP_ERR_PLUGIN (section 5) */
        e = nph_fail(diag, NPH_E_PLUGIN, NP_ERR_PLUGIN, NULL,
                     NPH_WHO_FMT ": %s failed with unknown status %d (treated as NP_ERR_PLUGIN): %.*s", NPH_WHO_ARG(t),
                     call, (int)status, (int)len, (const char *)error->message);
    else
        e = nph_fail(diag, NPH_E_PLUGIN, status, NULL, NPH_WHO_FMT ": %s failed with %s: %.*s", NPH_WHO_ARG(t), call,
                     np_status_name(status), (int)len, (const char *)error->message);
    /* The plugin's text ends the message: it starts where the same message without it ends (both shown as one
     * line by nph_fail, which maps a prefix to a prefix). */
    if (diag) {
        nph_diag_t *prefix = (nph_diag_t *)malloc(sizeof *prefix);
        if (prefix) {
            if (status < NP_ERR_PANIC)
                nph_fail(prefix, NPH_E_PLUGIN, NP_ERR_PLUGIN, NULL,
                         NPH_WHO_FMT ": %s failed with unknown status %d (treated as NP_ERR_PLUGIN): ", NPH_WHO_ARG(t),
                         call, (int)status);
            else
                nph_fail(prefix, NPH_E_PLUGIN, status, NULL, NPH_WHO_FMT ": %s failed with %s: ", NPH_WHO_ARG(t), call,
                         np_status_name(status));
            size_t at = strlen(prefix->message);
            diag->plugin_text_at = (uint32_t)(at < strlen(diag->message) ? at : 0);
            free(prefix);
        }
        diag->detail_code = error->code;
    }
    return e;
}

nph_error_t nph_instance_create(nph_host_t *host, const nph_transform_t *transform, const char *config,
                                nph_instance_t **out, nph_diag_t *diag) {
    nph_diag_clear(diag);
    if (out) *out = NULL;
    if (!host || !transform || !out) return nph_fail(diag, NPH_E_ARGUMENT, 0, NULL, "instance_create: NULL argument");
    nph_instance_t *inst = (nph_instance_t *)calloc(1, sizeof *inst);
    if (!inst) return nph_fail(diag, NPH_E_MEMORY, 0, NULL, "out of memory");
    inst->host = host;
    inst->transform = *transform;
    char scope[160];
    snprintf(scope, sizeof scope, "%.*s", (int)transform->plugin->id.len, (const char *)transform->plugin->id.ptr);
    nph_table_init(&inst->table, host, transform->library->negotiation.abi_minor, scope);

    np_str_t cfg = {(const uint8_t *)(config ? config : ""), config ? (uint64_t)strlen(config) : 0};
    np_error_t error = nph_error_buffer(inst);
    np_instance_t *instance = NULL;
    np_status status = transform->create(&inst->table.table, cfg, &instance, &error);
    nph_error_t e = NPH_OK;
    if (!nph_guard_intact(inst->error_guard)) {
        /* Refused whatever the status: its memory is suspect. An instance it made is destroyed unused. */
        e = nph_fail(diag, NPH_E_PROTOCOL, status, "P5", NPH_WHO_FMT ": create wrote past the end of the error buffer",
                     NPH_WHO_ARG(transform));
        if (status == NP_OK && instance) transform->destroy(instance);
    } else if (status != NP_OK) {
        e = nph_call_failed(transform, "create", status, &error, diag);
    } else if (!instance) {
        e = nph_fail(diag, NPH_E_PROTOCOL, status, NULL, NPH_WHO_FMT ": create returned NP_OK without an instance",
                     NPH_WHO_ARG(transform));
    }
    if (e != NPH_OK) {
        if (nph_table_live_bytes(&inst->table))
            nph_host_log(host, NP_LOG_WARN, scope, "failed create left %llu bytes of host memory allocated (rule P4)",
                         (unsigned long long)nph_table_live_bytes(&inst->table));
        free(inst);
        return e;
    }
    inst->instance = instance;
    transform->library->instance_count++;
    *out = inst;
    return NPH_OK;
}

static nph_error_t nph_after_call(nph_instance_t *inst, const char *call, np_status status, np_error_t *error,
                                  const nph_emitter_t *out, uint64_t count_before, uint64_t used_before,
                                  nph_diag_t *diag) {
    const nph_transform_t *t = &inst->transform;
    const char *broken = nph_emitter_check(out, count_before, used_before);
    nph_error_t overrun =
        nph_check_overrun(inst, call, status, broken && strncmp(broken, "wrote past", 10) == 0 ? broken : NULL, diag);
    if (overrun != NPH_OK) return overrun;
    if (broken)
        return nph_fail(diag, NPH_E_PROTOCOL, status, "P10", NPH_WHO_FMT ": %s broke the emitter protocol: %s",
                        NPH_WHO_ARG(t), call, broken);
    if (status != NP_OK) return nph_call_failed(t, call, status, error, diag);
    if (error->len != 0)
        nph_host_log(inst->host, NP_LOG_WARN, inst->table.scope, "%s succeeded but wrote an error message (rule P5)",
                     call);
    return NPH_OK;
}

nph_error_t nph_instance_process(nph_instance_t *inst, const np_batch_t *batch, nph_emitter_t *out, nph_diag_t *diag) {
    nph_diag_clear(diag);
    if (inst->poisoned) return nph_refuse_poisoned(inst, "process", diag);
    uint64_t count_before = out->em.count, used_before = out->em.data_used;
    np_error_t error = nph_error_buffer(inst);
    np_status status = inst->transform.process(inst->instance, batch, &out->em, &error);
    return nph_after_call(inst, "process", status, &error, out, count_before, used_before, diag);
}

nph_error_t nph_instance_flush(nph_instance_t *inst, nph_emitter_t *out, nph_diag_t *diag) {
    nph_diag_clear(diag);
    if (inst->poisoned) return nph_refuse_poisoned(inst, "flush", diag);
    uint64_t count_before = out->em.count, used_before = out->em.data_used;
    np_error_t error = nph_error_buffer(inst);
    np_status status = inst->transform.flush(inst->instance, &out->em, &error);
    return nph_after_call(inst, "flush", status, &error, out, count_before, used_before, diag);
}

int nph_instance_stats(nph_instance_t *inst, np_transform_stats_t *out) {
    if (!inst->transform.stats) return 0;
    memset(out, 0, sizeof *out);
    out->struct_size = (uint32_t)sizeof *out;
    return inst->transform.stats(inst->instance, out) == NP_OK ? 1 : -1;
}

void nph_instance_destroy(nph_instance_t *inst) {
    if (!inst) return;
    inst->transform.destroy(inst->instance);
    uint64_t leaked = nph_table_live_bytes(&inst->table);
    if (leaked)
        nph_host_log(inst->host, NP_LOG_WARN, inst->table.scope,
                     "destroy left %llu bytes in %llu blocks of host memory allocated (rule P4)",
                     (unsigned long long)leaked, (unsigned long long)nph_table_live_blocks(&inst->table));
    inst->transform.library->instance_count--;
    free(inst);
}

const nph_transform_t *nph_instance_transform(const nph_instance_t *inst) { return &inst->transform; }
np_instance_t *nph_instance_raw(const nph_instance_t *inst) { return inst->instance; }
uint64_t nph_instance_live_bytes(const nph_instance_t *inst) { return nph_table_live_bytes(&inst->table); }
uint64_t nph_instance_alloc_violations(const nph_instance_t *inst) { return nph_table_violations(&inst->table); }
