/*
 * np_sdk_transform.c - the generic np.transform/1 vtable behind NP_TRANSFORM_PLUGIN (np_transform_base.h).
 *
 * Every check that would otherwise be copied into each plugin lives here once: argument validation (P6),
 * emitter invariants (H5), messages for every failure (P5), poisoning (P7), the flush/reset protocol (P8),
 * the single-thread guard (H4) and the counters behind `stats` (a [leaf] function: no host call, no
 * allocation, bounded time, rule P11).
 */
#include "np_sdk_internal.h"

/* Instances are allocated with this alignment (enough for any scalar member of an instance struct). */
#define NP_SDK_INSTANCE_ALIGN 16u

static np_sdk_instance_t *np_sdk_self(np_instance_t *instance) { return (np_sdk_instance_t *)(void *)instance; }

#define NP_SDK_ID_ARG(self) NP_STR_ARG((self)->descriptor->id)

/* ---- Error-buffer bookkeeping: detect a failure without a message, leave the buffer alone on success ---- */
typedef struct np_sdk_call {
    np_error_t *error;
    uint64_t saved_len;
} np_sdk_call_t;

static np_sdk_call_t np_sdk_call_begin(np_error_t *error) {
    np_sdk_call_t call = {error, error ? error->len : 0};
    if (error) error->len = 0;
    return call;
}

static np_status np_sdk_call_end(np_sdk_instance_t *self, np_sdk_call_t call, np_status status, const char *what) {
    np_error_t *error = call.error;
    if (status == NP_OK) {
        if (error) error->len = call.saved_len;
        return NP_OK;
    }
    if (status > 0) {
        np_error_set(error, NP_ERR_PLUGIN, NP_STR_FMT ": %s returned the invalid positive status %d",
                     NP_SDK_ID_ARG(self), what, (int)status);
        return NP_ERR_PLUGIN;
    }
    if (error && error->message && error->capacity > 0 && error->len == 0)
        np_error_set(error, status, NP_STR_FMT ": %s failed with %s (the plugin gave no message)", NP_SDK_ID_ARG(self),
                     what, np_status_name(status));
    if (status == NP_ERR_PANIC) self->poisoned = 1;
    return status;
}

/* ---- The single-thread guard (rule H4): overlapping calls are a host bug, refuse them -------------------- */
static int np_sdk_enter(np_sdk_instance_t *self) { return __atomic_exchange_n(&self->busy, 1u, __ATOMIC_ACQUIRE) == 0; }
static void np_sdk_leave(np_sdk_instance_t *self) { __atomic_store_n(&self->busy, 0u, __ATOMIC_RELEASE); }

/* Checks shared by process and flush. */
static np_status np_sdk_check_call(np_sdk_instance_t *self, np_emitter_t *out, np_error_t *error, const char *what) {
    if (self->poisoned)
        return np_error_set(error, NP_ERR_STATE,
                            NP_STR_FMT ": %s refused: the instance was poisoned by an earlier panic (rule P7)",
                            NP_SDK_ID_ARG(self), what);
    const char *problem;
    if (np_emit_check(out, &problem) != NP_OK)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, NP_STR_FMT ": %s: %s (rule H5)", NP_SDK_ID_ARG(self), what,
                            problem);
    return NP_OK;
}

/* ---- create / destroy --------------------------------------------------------------------------------- */
np_status np_sdk_transform_create(const np_sdk_transform_t *impl, const np_plugin_descriptor_t *descriptor,
                                  const np_host_t *host, np_str_t config, np_instance_t **out_instance,
                                  np_error_t *error) {
    const np_str_t id = descriptor->id;
    if (!out_instance)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, NP_STR_FMT ": create: out_instance is NULL",
                            NP_STR_ARG(id));
    *out_instance = NULL;
    const char *problem = np_host_check(host);
    if (problem)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, NP_STR_FMT ": create: %s", NP_STR_ARG(id), problem);
    if (config.len && !config.ptr)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, NP_STR_FMT ": create: config.ptr is NULL, len %llu",
                            NP_STR_ARG(id), (unsigned long long)config.len);
    uint64_t bad = 0;
    if (!np_utf8_validate(config.ptr, config.len, &bad))
        return np_error_set(error, NP_ERR_CONFIG, NP_STR_FMT ": config is not valid UTF-8 (byte %llu)", NP_STR_ARG(id),
                            (unsigned long long)bad);

    uint64_t size = impl->instance_size > sizeof(np_sdk_instance_t) ? impl->instance_size : sizeof(np_sdk_instance_t);
    np_sdk_instance_t *self = (np_sdk_instance_t *)host->alloc(host, size, NP_SDK_INSTANCE_ALIGN);
    if (!self)
        return np_error_set(error, NP_ERR_OUT_OF_MEMORY, NP_STR_FMT ": create: the host could not allocate %llu bytes",
                            NP_STR_ARG(id), (unsigned long long)size);
    memset(self, 0, (size_t)size);
    self->host = host;
    self->descriptor = descriptor;
    self->impl = impl;
    self->instance_size = size;

    np_sdk_call_t call = np_sdk_call_begin(error);
    np_status status = NP_OK;
    if (impl->create) {
        status = impl->create(self, config, error);
    } else {
        /* No options at all: anything but an empty (or blank) config is a mistake worth reporting. */
        np_config_reader_t reader;
        np_config_entry_t entry;
        np_config_reader_init(&reader, config);
        int rc = np_config_next(&reader, &entry, error);
        if (rc == NP_OK)
            status =
                np_error_set(error, NP_ERR_CONFIG, "unknown config key '" NP_STR_FMT "' (this plugin takes no config)",
                             NP_STR_ARG(entry.key));
        else if (rc != NP_CONFIG_END)
            status = (np_status)rc;
    }
    status = np_sdk_call_end(self, call, status, "create");
    if (status != NP_OK) {
        if (impl->destroy) impl->destroy(self);
        host->free(host, self, size, NP_SDK_INSTANCE_ALIGN);
        return status;
    }
    *out_instance = (np_instance_t *)(void *)self;
    return NP_OK;
}

void np_sdk_transform_destroy(np_instance_t *instance) {
    if (!instance) return;
    np_sdk_instance_t *self = np_sdk_self(instance);
    if (self->impl->destroy) self->impl->destroy(self);
    const np_host_t *host = self->host;
    host->free(host, self, self->instance_size, NP_SDK_INSTANCE_ALIGN);
}

/* ---- process / flush ---------------------------------------------------------------------------------- */
np_status np_sdk_transform_process(np_instance_t *instance, const np_batch_t *batch, np_emitter_t *out,
                                   np_error_t *error) {
    if (!instance) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "process: instance is NULL");
    np_sdk_instance_t *self = np_sdk_self(instance);
    np_status status = np_sdk_check_call(self, out, error, "process");
    if (status != NP_OK) return status;
    if (!batch)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, NP_STR_FMT ": process: batch is NULL", NP_SDK_ID_ARG(self));
    uint64_t bad = 0;
    if (np_batch_check(batch, &bad) != NP_OK)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT,
                            NP_STR_FMT ": process: malformed batch at offset index %llu of %llu records "
                                       "(offsets[0] must be 0, offsets must not decrease, data non-NULL)",
                            NP_SDK_ID_ARG(self), (unsigned long long)bad, (unsigned long long)batch->count);
    if (!np_sdk_enter(self))
        return np_error_set(error, NP_ERR_STATE,
                            NP_STR_FMT
                            ": process: another call on this NP_THREADING_SINGLE instance is running (rule H4)",
                            NP_SDK_ID_ARG(self));
    uint64_t count_before = out->count, used_before = out->data_used;
    np_sdk_call_t call = np_sdk_call_begin(error);
    status = self->impl->process(self, batch, out, error);
    self->records_in += batch->count;
    self->bytes_in += np_batch_bytes(batch);
    self->records_out += out->count - count_before;
    self->bytes_out += out->data_used - used_before;
    self->stream_open = 1;
    status = np_sdk_call_end(self, call, status, "process");
    np_sdk_leave(self);
    return status;
}

np_status np_sdk_transform_flush(np_instance_t *instance, np_emitter_t *out, np_error_t *error) {
    if (!instance) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "flush: instance is NULL");
    np_sdk_instance_t *self = np_sdk_self(instance);
    np_status status = np_sdk_check_call(self, out, error, "flush");
    if (status != NP_OK) return status;
    if (!np_sdk_enter(self))
        return np_error_set(error, NP_ERR_STATE,
                            NP_STR_FMT
                            ": flush: another call on this NP_THREADING_SINGLE instance is running (rule H4)",
                            NP_SDK_ID_ARG(self));
    if (self->stream_open) { /* otherwise: a flush right after create or after a flush emits nothing (P8) */
        uint64_t count_before = out->count, used_before = out->data_used;
        np_sdk_call_t call = np_sdk_call_begin(error);
        status = self->impl->flush ? self->impl->flush(self, out, error) : NP_OK;
        self->records_out += out->count - count_before;
        self->bytes_out += out->data_used - used_before;
        status = np_sdk_call_end(self, call, status, "flush");
        /* S5: a flush ends the stream even when it fails (what it emitted stays emitted; a host must not retry it,
         * which would emit twice). A poisoned instance is not reset: it only accepts destroy. */
        if (!self->poisoned && self->impl->reset) self->impl->reset(self);
        self->stream_open = 0;
    }
    np_sdk_leave(self);
    return status;
}

/* ---- stats: [leaf] ------------------------------------------------------------------------------------ */
np_status np_sdk_transform_stats(np_instance_t *instance, np_transform_stats_t *out_stats) {
    if (!instance || !out_stats) return NP_ERR_INVALID_ARGUMENT;
    np_sdk_instance_t *self = np_sdk_self(instance);
    if (self->poisoned) return NP_ERR_STATE;
    np_transform_stats_t full;
    full.struct_size = (uint32_t)sizeof full;
    full.reserved = 0;
    full.records_in = self->records_in;
    full.records_out = self->records_out;
    full.bytes_in = self->bytes_in;
    full.bytes_out = self->bytes_out;
    /* Fill only the whole counters the caller's struct_size covers (an older or newer caller). */
    size_t header = offsetof(np_transform_stats_t, records_in);
    size_t fits = out_stats->struct_size < sizeof full ? out_stats->struct_size : sizeof full;
    if (fits > header) {
        fits = header + (fits - header) / sizeof(uint64_t) * sizeof(uint64_t);
        memcpy((uint8_t *)out_stats + header, (const uint8_t *)&full + header, fits - header);
    }
    return NP_OK;
}

/* ---- np.state/1: save / restore (ABI 1.3) -------------------------------------------------------------- */
/* Checks shared by save and restore: a live, unpoisoned instance of a plugin that has both hooks. */
static np_status np_sdk_check_state(np_sdk_instance_t *self, np_error_t *error, const char *what) {
    if (self->poisoned)
        return np_error_set(error, NP_ERR_STATE,
                            NP_STR_FMT ": %s refused: the instance was poisoned by an earlier panic (rule P7)",
                            NP_SDK_ID_ARG(self), what);
    if (!self->impl->save || !self->impl->restore)
        return np_error_set(error, NP_ERR_UNSUPPORTED, NP_STR_FMT ": %s: this transform has no save/restore",
                            NP_SDK_ID_ARG(self), what);
    return NP_OK;
}

np_status np_sdk_state_save(void *instance, np_out_bytes_t *out, np_error_t *error) {
    if (!instance) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "save: instance is NULL");
    np_sdk_instance_t *self = (np_sdk_instance_t *)instance;
    np_status status = np_sdk_check_state(self, error, "save");
    if (status != NP_OK) return status;
    status = np_out_check(out, error);
    if (status != NP_OK) return status;
    if (!np_sdk_enter(self))
        return np_error_set(error, NP_ERR_STATE,
                            NP_STR_FMT ": save: another call on this NP_THREADING_SINGLE instance is running (rule H4)",
                            NP_SDK_ID_ARG(self));
    np_sdk_call_t call = np_sdk_call_begin(error);
    status = np_sdk_call_end(self, call, self->impl->save(self, out, error), "save");
    np_sdk_leave(self);
    return status;
}

np_status np_sdk_state_restore(void *instance, np_bytes_t state, np_error_t *error) {
    if (!instance) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "restore: instance is NULL");
    np_sdk_instance_t *self = (np_sdk_instance_t *)instance;
    np_status status = np_sdk_check_state(self, error, "restore");
    if (status != NP_OK) return status;
    if (state.len && !state.ptr)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, NP_STR_FMT ": restore: state.ptr is NULL, len %llu",
                            NP_SDK_ID_ARG(self), (unsigned long long)state.len);
    if (!np_sdk_enter(self))
        return np_error_set(error, NP_ERR_STATE,
                            NP_STR_FMT
                            ": restore: another call on this NP_THREADING_SINGLE instance is running (rule H4)",
                            NP_SDK_ID_ARG(self));
    if (self->stream_open) {
        np_sdk_leave(self);
        return np_error_set(error, NP_ERR_STATE,
                            NP_STR_FMT ": restore: a stream is open; restore into a fresh instance (after create or "
                                       "flush)",
                            NP_SDK_ID_ARG(self));
    }
    np_sdk_call_t call = np_sdk_call_begin(error);
    status = np_sdk_call_end(self, call, self->impl->restore(self, state, error), "restore");
    if (status == NP_OK)
        self->stream_open = 1; /* the saved instance may have held something back: the next flush emits it */
    else if (!self->poisoned && self->impl->reset)
        self->impl->reset(self); /* a refused blob leaves the just-created state, whatever the hook began */
    np_sdk_leave(self);
    return status;
}
