/*
 * counter.c - org.nativeplugins.c.counter: counts the records and bytes of a stream and emits a summary at
 * flush, optionally with a count per distinct record value. A stateful plugin: nothing is emitted by process.
 *
 * Config (key=value;...):
 *   per_value=true|false   false (default): flush emits one record "records=<n> bytes=<b>".
 *                          true: first one record "<count>\t<value>" per distinct value in first-seen order, then
 *                          "records=<n> bytes=<b> distinct=<k>" (plus " untracked=<u>" when max_distinct was hit).
 *   max_distinct=<n>       1..100000000, default 1000000: distinct values tracked; records with further new
 *                          values are counted as untracked instead of growing memory without bound.
 * flush resets the counts (a new stream starts); the SDK makes a second flush in a row emit nothing.
 * All memory comes from the host allocator and is returned at reset/destroy.
 * Without per_value, process is O(1) per batch: the bytes of a batch are offsets[count] - offsets[0].
 */
#include <stdio.h>

#include <nplug_sdk/np_sdk.h>

#define COUNTER_ALIGN 8u
#define COUNTER_MAX_DIGITS 20u /* of a uint64_t */

typedef struct counter_value {
    uint64_t hash;
    uint64_t offset; /* into the arena */
    uint64_t len;
    uint64_t count;
} counter_value_t;

typedef struct counter {
    np_sdk_instance_t base;
    int32_t per_value;
    uint64_t max_distinct;
    /* the current stream */
    uint64_t records, bytes, untracked;
    counter_value_t *values; /* distinct values, first-seen order */
    uint64_t value_count, value_cap;
    uint64_t *slots; /* open addressing: index + 1 into values, 0 = empty; slot_cap is a power of two */
    uint64_t slot_cap;
    uint8_t *arena; /* value bytes */
    uint64_t arena_used, arena_cap;
} counter_t;

static const np_config_option_t counter_config[] = {
    NP_CONFIG_OPTION_BOOL("per_value", counter_t, per_value),
    NP_CONFIG_OPTION_U64("max_distinct", counter_t, max_distinct, 1, 100000000),
};

static np_status counter_create(np_sdk_instance_t *self, np_str_t config, np_error_t *error) {
    counter_t *c = (counter_t *)self;
    c->max_distinct = 1000000;
    return np_config_parse(config, counter_config, sizeof counter_config / sizeof counter_config[0], c, error);
}

/* Forget the stream and give every buffer back to the host. */
static void counter_reset(np_sdk_instance_t *self) {
    counter_t *c = (counter_t *)self;
    np_host_free(self->host, c->values, c->value_cap * sizeof *c->values, COUNTER_ALIGN);
    np_host_free(self->host, c->slots, c->slot_cap * sizeof *c->slots, NP_HOST_DEFAULT_ALIGN);
    np_host_free(self->host, c->arena, c->arena_cap, 1);
    c->values = NULL;
    c->slots = NULL;
    c->arena = NULL;
    c->value_count = c->value_cap = c->slot_cap = c->arena_used = c->arena_cap = 0;
    c->records = c->bytes = c->untracked = 0;
}

static uint64_t counter_hash(const uint8_t *p, uint64_t n) { /* FNV-1a, 64 bit */
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Grow *buf (elem-sized items, *cap of them) to hold at least need items. */
static int counter_grow(const np_host_t *host, void **buf, uint64_t *cap, uint64_t need, uint64_t elem,
                        uint64_t align) {
    if (need <= *cap) return 1;
    uint64_t fresh = *cap ? *cap : 16;
    while (fresh < need) fresh *= 2;
    void *p = np_host_resize(host, *buf, *cap * elem, fresh * elem, align);
    if (!p) return 0;
    *buf = p;
    *cap = fresh;
    return 1;
}

/* Rebuild the slot table at twice the size (load factor stays <= 1/2). */
static int counter_rehash(counter_t *c) {
    uint64_t cap = c->slot_cap ? c->slot_cap * 2 : 64;
    uint64_t *slots = (uint64_t *)np_host_alloc_zeroed(c->base.host, cap * sizeof *slots);
    if (!slots) return 0;
    for (uint64_t v = 0; v < c->value_count; v++) {
        uint64_t s = c->values[v].hash & (cap - 1);
        while (slots[s]) s = (s + 1) & (cap - 1);
        slots[s] = v + 1;
    }
    np_host_free(c->base.host, c->slots, c->slot_cap * sizeof *c->slots, NP_HOST_DEFAULT_ALIGN);
    c->slots = slots;
    c->slot_cap = cap;
    return 1;
}

/* Count one occurrence of value. 0 on allocation failure. */
static int counter_add_value(counter_t *c, np_bytes_t value) {
    uint64_t hash = counter_hash(value.ptr, value.len);
    if (c->slot_cap) {
        for (uint64_t s = hash & (c->slot_cap - 1); c->slots[s]; s = (s + 1) & (c->slot_cap - 1)) {
            counter_value_t *v = &c->values[c->slots[s] - 1];
            if (v->hash == hash && v->len == value.len &&
                (value.len == 0 || memcmp(c->arena + v->offset, value.ptr, (size_t)value.len) == 0)) {
                v->count++;
                return 1;
            }
        }
    }
    if (c->value_count >= c->max_distinct) {
        c->untracked++;
        return 1;
    }
    if ((c->value_count + 1) * 2 > c->slot_cap && !counter_rehash(c)) return 0;
    if (!counter_grow(c->base.host, (void **)&c->values, &c->value_cap, c->value_count + 1, sizeof *c->values,
                      COUNTER_ALIGN) ||
        !counter_grow(c->base.host, (void **)&c->arena, &c->arena_cap, c->arena_used + value.len, 1, 1))
        return 0;
    counter_value_t *v = &c->values[c->value_count];
    v->hash = hash;
    v->offset = c->arena_used;
    v->len = value.len;
    v->count = 1;
    if (value.len) memcpy(c->arena + c->arena_used, value.ptr, (size_t)value.len);
    c->arena_used += value.len;
    uint64_t s = hash & (c->slot_cap - 1);
    while (c->slots[s]) s = (s + 1) & (c->slot_cap - 1);
    c->slots[s] = ++c->value_count;
    return 1;
}

static np_status counter_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out,
                                 np_error_t *error) {
    (void)out; /* a counter emits only at flush */
    counter_t *c = (counter_t *)self;
    if (!c->per_value) { /* batch-level: the records of a batch are contiguous, so their bytes are one difference */
        c->records += batch->count;
        c->bytes += batch->count ? batch->offsets[batch->count] - batch->offsets[0] : 0;
        return NP_OK;
    }
    for (uint64_t r = 0; r < batch->count; r++) {
        np_bytes_t record = np_batch_record(batch, r);
        if (!counter_add_value(c, record))
            return np_error_set(error, NP_ERR_OUT_OF_MEMORY,
                                "record %llu: out of host memory after %llu distinct values (lower max_distinct?)",
                                (unsigned long long)r, (unsigned long long)c->value_count);
        c->records++;
        c->bytes += record.len;
    }
    return NP_OK;
}

/* Write the decimal digits of v at dst; returns their count. */
static uint64_t counter_put_u64(uint8_t *dst, uint64_t v) {
    uint8_t digits[COUNTER_MAX_DIGITS];
    uint64_t n = 0;
    do {
        digits[n++] = (uint8_t)('0' + v % 10);
        v /= 10;
    } while (v);
    for (uint64_t i = 0; i < n; i++) dst[i] = digits[n - 1 - i];
    return n;
}

static np_status counter_flush(np_sdk_instance_t *self, np_emitter_t *out, np_error_t *error) {
    counter_t *c = (counter_t *)self;
    char summary[160];
    int n = c->per_value ? snprintf(summary, sizeof summary, "records=%llu bytes=%llu distinct=%llu",
                                    (unsigned long long)c->records, (unsigned long long)c->bytes,
                                    (unsigned long long)c->value_count)
                         : snprintf(summary, sizeof summary, "records=%llu bytes=%llu", (unsigned long long)c->records,
                                    (unsigned long long)c->bytes);
    if (c->untracked)
        n += snprintf(summary + n, sizeof summary - (size_t)n, " untracked=%llu", (unsigned long long)c->untracked);

    /* Reserve everything at once: then no emit below can fail halfway, and a failed flush (which the host may
     * retry) has emitted nothing. */
    uint64_t bytes = (uint64_t)n + c->value_count * (COUNTER_MAX_DIGITS + 1) + c->arena_used;
    np_status status = np_emit_grow(out, bytes, c->value_count + 1);
    if (status != NP_OK)
        return np_error_set(error, status, "the host could not make room for the summary (%llu records, %llu bytes)",
                            (unsigned long long)c->value_count + 1, (unsigned long long)bytes);
    for (uint64_t i = 0; i < c->value_count; i++) {
        const counter_value_t *v = &c->values[i];
        uint8_t *dst;
        status = np_emit_reserve(out, COUNTER_MAX_DIGITS + 1 + v->len, &dst); /* room was reserved above */
        if (status != NP_OK) return np_error_set(error, status, "the host's reserve did not keep the room it granted");
        uint64_t len = counter_put_u64(dst, v->count);
        dst[len++] = '\t';
        if (v->len) memcpy(dst + len, c->arena + v->offset, (size_t)v->len);
        np_emit_commit(out, len + v->len);
    }
    return np_emit(out, summary, (uint64_t)n);
}

static void counter_destroy(np_sdk_instance_t *self) { counter_reset(self); }

static const np_sdk_transform_t counter_impl = {
    .instance_size = sizeof(counter_t),
    .create = counter_create,
    .process = counter_process,
    .flush = counter_flush,
    .reset = counter_reset,
    .destroy = counter_destroy,
};

NP_TRANSFORM_PLUGIN(
    counter_plugin, counter_impl, .id = NP_STR_LIT("org.nativeplugins.c.counter"), .name = NP_STR_LIT("Record counter"),
    .version = NP_STR_LIT("1.0.0"),
    .description = NP_STR_LIT("Counts records and bytes per stream, optionally per distinct value, and emits a "
                              "summary at flush (config: per_value=true|false; max_distinct=N)"),
    .vendor = NP_STR_LIT("NativePlugins"));
