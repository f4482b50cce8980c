/*
 * registry_a.c - first translation unit of libnp_test_registry.so (test only). Together with registry_b.c it
 * proves that plugins declared in different .c files are all registered without a central list.
 *
 *   org.nativeplugins.test.holdback  emits each record one step late: holds the newest record back and emits
 *                                    it at flush; reset forgets it (exercises the SDK's flush/reset, rule P8)
 *   org.nativeplugins.test.faulty    misbehaves on purpose, per config mode=..., to test the SDK adapter and the
 *                                    host's checks (see faulty_process)
 */
#include <string.h>

#include <nplug_sdk/np_sdk.h>

/* ---- holdback ---- */
typedef struct holdback {
    np_sdk_instance_t base;
    uint8_t *held; /* host memory */
    uint64_t held_len, held_cap;
    int32_t has_held;
} holdback_t;

static np_status holdback_keep(holdback_t *h, np_bytes_t record) {
    if (record.len > h->held_cap) {
        void *fresh = np_host_resize(h->base.host, h->held, h->held_cap, record.len, 1);
        if (!fresh) return NP_ERR_OUT_OF_MEMORY;
        h->held = (uint8_t *)fresh;
        h->held_cap = record.len;
    }
    if (record.len) memcpy(h->held, record.ptr, (size_t)record.len);
    h->held_len = record.len;
    h->has_held = 1;
    return NP_OK;
}

static np_status holdback_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out,
                                  np_error_t *error) {
    holdback_t *h = (holdback_t *)self;
    for (uint64_t i = 0; i < batch->count; i++) {
        if (h->has_held) {
            np_status status = np_emit(out, h->held, h->held_len);
            if (status != NP_OK) return np_error_set(error, status, "emit failed");
        }
        if (holdback_keep(h, np_batch_record(batch, i)) != NP_OK)
            return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "cannot hold record %llu", (unsigned long long)i);
    }
    return NP_OK;
}

static np_status holdback_flush(np_sdk_instance_t *self, np_emitter_t *out, np_error_t *error) {
    holdback_t *h = (holdback_t *)self;
    if (!h->has_held) return NP_OK;
    np_status status = np_emit(out, h->held, h->held_len);
    return status == NP_OK ? NP_OK : np_error_set(error, status, "emit failed");
}

static void holdback_reset(np_sdk_instance_t *self) { ((holdback_t *)self)->has_held = 0; }

static void holdback_destroy(np_sdk_instance_t *self) {
    holdback_t *h = (holdback_t *)self;
    np_host_free(self->host, h->held, h->held_cap, 1);
}

static const np_sdk_transform_t holdback_impl = {
    .instance_size = sizeof(holdback_t),
    .process = holdback_process,
    .flush = holdback_flush,
    .reset = holdback_reset,
    .destroy = holdback_destroy,
};
NP_TRANSFORM_PLUGIN(holdback_plugin, holdback_impl, .id = NP_STR_LIT("org.nativeplugins.test.holdback"),
                    .name = NP_STR_LIT("Hold back one record"), .version = NP_STR_LIT("0.1.0"));

/* ---- failflush: holdback whose flush emits what it holds, then fails (guarantee S5) ---- */
static np_status failflush_flush(np_sdk_instance_t *self, np_emitter_t *out, np_error_t *error) {
    np_status status = holdback_flush(self, out, error);
    return status != NP_OK ? status : np_error_set(error, NP_ERR_PLUGIN, "flush fails on purpose after emitting");
}

static const np_sdk_transform_t failflush_impl = {
    .instance_size = sizeof(holdback_t),
    .process = holdback_process,
    .flush = failflush_flush,
    .reset = holdback_reset,
    .destroy = holdback_destroy,
};
NP_TRANSFORM_PLUGIN(failflush_plugin, failflush_impl, .id = NP_STR_LIT("org.nativeplugins.test.failflush"),
                    .name = NP_STR_LIT("Hold back one record, fail at flush"), .version = NP_STR_LIT("0.1.0"));

/* ---- faulty ---- */
#define FAULTY_NONE 0u
#define FAULTY_PANIC 1u         /* process returns NP_ERR_PANIC with a message: instance poisoned (P7) */
#define FAULTY_SILENT 2u        /* process returns NP_ERR_INPUT without a message: the SDK adds one (P5) */
#define FAULTY_POSITIVE 3u      /* process returns 7: the SDK maps it to NP_ERR_PLUGIN */
#define FAULTY_REENTER 4u       /* process calls process on itself: the SDK's single-thread guard refuses (H4) */
#define FAULTY_BAD_OFFSETS 5u   /* writes a decreasing offset: the host's P10 check catches it */
#define FAULTY_TAKE_BACK 6u     /* lowers out->count: the host's P10 check catches it */
#define FAULTY_BAD_FREE 7u      /* frees a host block with the wrong size: the host's P4 accounting catches it */
#define FAULTY_FAIL_CREATE 8u   /* create fails after allocating: destroy must release it (no leak) */
#define FAULTY_ERROR_OVERRUN 9u /* process writes 8 bytes past the error buffer: the host's guard catches it */
#define FAULTY_DATA_OVERRUN 10u /* process writes 8 bytes past data_capacity: the host's guard catches it */

typedef struct faulty {
    np_sdk_instance_t base;
    uint32_t mode;
    np_status inner_status; /* FAULTY_REENTER: what the inner call returned */
    uint8_t *block;
} faulty_t;

static const np_config_option_t faulty_config[] = {
    NP_CONFIG_OPTION_CHOICE("mode", faulty_t, mode,
                            "none|panic|silent|positive|reenter|bad_offsets|take_back|bad_free|fail_create|"
                            "error_overrun|data_overrun"),
};

static np_status faulty_create(np_sdk_instance_t *self, np_str_t config, np_error_t *error) {
    faulty_t *f = (faulty_t *)self;
    np_status status = np_config_parse(config, faulty_config, 1, f, error);
    if (status != NP_OK) return status;
    f->block = (uint8_t *)np_host_alloc(self->host, 64, 8);
    if (!f->block) return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "no memory");
    if (f->mode == FAULTY_FAIL_CREATE) return np_error_set(error, NP_ERR_PLUGIN, "create fails on purpose");
    return NP_OK;
}

static void faulty_destroy(np_sdk_instance_t *self) {
    faulty_t *f = (faulty_t *)self;
    np_host_free(self->host, f->block, 64, 8);
}

static np_status faulty_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out,
                                np_error_t *error) {
    faulty_t *f = (faulty_t *)self;
    switch (f->mode) {
    case FAULTY_PANIC: return np_error_set(error, NP_ERR_PANIC, "simulated panic: index out of bounds");
    case FAULTY_SILENT: return NP_ERR_INPUT;
    case FAULTY_POSITIVE: return 7;
    case FAULTY_REENTER: {
        uint8_t buffer[256];
        np_error_t inner = {buffer, sizeof buffer, 0, 0, 0};
        f->inner_status = np_sdk_transform_process((np_instance_t *)(void *)self, batch, out, &inner);
        return np_error_set(error, f->inner_status == NP_ERR_STATE ? NP_ERR_INPUT : NP_ERR_PLUGIN,
                            "inner call returned %s: %.*s", np_status_name(f->inner_status), (int)inner.len,
                            (const char *)buffer);
    }
    case FAULTY_BAD_OFFSETS: {
        np_status status = np_emit(out, "abc", 3);
        if (status != NP_OK) return status;
        if (out->offsets_capacity - out->count < 2 && np_emit_grow(out, 0, 1) != NP_OK) return NP_ERR_OUT_OF_MEMORY;
        out->offsets[out->count + 1] = out->offsets[out->count] - 1; /* a decreasing offset */
        out->count++;
        out->data_used--;
        return NP_OK;
    }
    case FAULTY_TAKE_BACK:
        if (out->count > 0) {
            out->count--;
            out->data_used = out->offsets[out->count];
        }
        return NP_OK;
    case FAULTY_ERROR_OVERRUN: /* the bug of a message copied with the wrong bound */
        memset(error->message, 'E', (size_t)error->capacity + 8);
        error->len = error->capacity;
        return NP_ERR_INPUT;
    case FAULTY_DATA_OVERRUN: /* the bug of a size computation that forgot a record's tail */
        if (np_emit_grow(out, 1, 1) != NP_OK) return NP_ERR_OUT_OF_MEMORY;
        memset(out->data + out->data_used, 'D', (size_t)(out->data_capacity - out->data_used) + 8);
        return NP_OK;
    case FAULTY_BAD_FREE:
        np_host_free(self->host, f->block, 32, 8); /* allocated with 64 */
        f->block = np_host_alloc(self->host, 64, 8);
        return NP_OK;
    default:
        for (uint64_t i = 0; i < batch->count; i++) {
            np_status status = np_emit_bytes(out, np_batch_record(batch, i));
            if (status != NP_OK) return np_error_set(error, status, "emit failed");
        }
        return NP_OK;
    }
}

static const np_sdk_transform_t faulty_impl = {
    .instance_size = sizeof(faulty_t),
    .create = faulty_create,
    .process = faulty_process,
    .destroy = faulty_destroy,
};
NP_TRANSFORM_PLUGIN(faulty_plugin, faulty_impl, .id = NP_STR_LIT("org.nativeplugins.test.faulty"),
                    .name = NP_STR_LIT("Faulty on purpose"), .version = NP_STR_LIT("0.1.0"));
