/*
 * np_bench_plugin.c - libnp_bench.so, the benchmark-only plugin bundle.
 *
 *   org.nativeplugins.bench.trivial  np.bench/1 (increment, noop) and np.transform/1 (copy), for per-call costs
 *   org.nativeplugins.bench.upper    np.transform/1: ASCII upper-case copy of every record
 *   org.nativeplugins.bench.grep     np.transform/1: keeps records containing `pattern` (config "pattern=...")
 *   org.nativeplugins.bench.count    np.transform/1: passes records through, counting them
 *
 * upper | grep pattern=#EVEN | count is the 3-stage pipeline the throughput benchmarks run in the C host, in the
 * .NET host, and (re-written in plain C#) without any ABI at all; benchmarks/NativePlugins.Benchmarks/Throughput/
 * ManagedPipeline.cs must stay the same logic as this file. Every transform implements stats ([leaf]).
 *
 * The work is batch-level and vectorized, the class of the BCL's span operations the managed pipeline uses: the
 * records of a batch are contiguous (record i is data[offsets[i]..offsets[i + 1])), so upper maps the whole batch
 * in one np_ascii_upper pass, grep runs one substring search across the batch (np_bytes_find_record) and copies
 * each run of consecutive kept records with one memcpy, count and copy copy the whole batch with one memcpy. Output
 * offsets are the input's, shifted. The emitter's reserve is called at most once per run of records, never per
 * record when the host's buffers are large enough. The kernels come from the C SDK's header-only np_bytes.h (no
 * SDK library is linked: the plugin is still written against the raw ABI).
 */
#include <string.h>

#include <nplug_sdk/np_bytes.h>

#include "bench_plugin_common.h"

enum bench_kind { BENCH_COPY, BENCH_UPPER, BENCH_GREP, BENCH_COUNT };

#define BENCH_PATTERN_MAX 64

typedef struct bench_instance {
    const np_host_t *host; /* the instance memory comes from host->alloc (so a host's allocator path gets exercised) */
    enum bench_kind kind;
    size_t pattern_len;
    uint8_t pattern[BENCH_PATTERN_MAX];
    np_transform_stats_t stats;
} bench_instance_t;

/* ---- config: "key=value;key=value", empty = defaults; grep knows "pattern", the others no key ---------------- */

static np_status bench_parse_config(bench_instance_t *self, np_str_t config, np_error_t *error) {
    const uint8_t *p = config.ptr;
    const uint8_t *end = config.ptr + config.len;
    if (config.len > 0 && config.ptr == NULL) {
        return bench_fail(error, NP_ERR_INVALID_ARGUMENT, "create: config.ptr is NULL with a non-zero length");
    }
    while (p < end) {
        const uint8_t *item_end = memchr(p, ';', (size_t)(end - p));
        if (item_end == NULL) {
            item_end = end;
        }
        const uint8_t *eq = memchr(p, '=', (size_t)(item_end - p));
        if (item_end > p) {
            if (eq == NULL) {
                return bench_fail(error, NP_ERR_CONFIG, "create: config item without '=' (expected key=value)");
            }
            size_t key_len = (size_t)(eq - p);
            size_t value_len = (size_t)(item_end - eq - 1);
            if (self->kind == BENCH_GREP && key_len == 7 && memcmp(p, "pattern", 7) == 0) {
                if (value_len == 0 || value_len > BENCH_PATTERN_MAX) {
                    return bench_fail(error, NP_ERR_CONFIG, "create: 'pattern' must be 1..64 bytes");
                }
                memcpy(self->pattern, eq + 1, value_len);
                self->pattern_len = value_len;
            } else {
                return bench_fail(error, NP_ERR_CONFIG, "create: unknown config key (only grep knows 'pattern')");
            }
        }
        p = item_end + (item_end < end ? 1 : 0);
    }
    if (self->kind == BENCH_GREP && self->pattern_len == 0) {
        return bench_fail(error, NP_ERR_CONFIG, "create: grep needs 'pattern=...'");
    }
    return NP_OK;
}

/* ---- lifecycle ------------------------------------------------------------------------------------------------ */

static np_status bench_create(enum bench_kind kind, const np_host_t *host, np_str_t config,
                              np_instance_t **out_instance, np_error_t *error) {
    if (host == NULL || out_instance == NULL) {
        return bench_fail(error, NP_ERR_INVALID_ARGUMENT, "create: host or out_instance is NULL");
    }
    bench_instance_t *self = host->alloc(host, sizeof *self, _Alignof(bench_instance_t));
    if (self == NULL) {
        return bench_fail(error, NP_ERR_OUT_OF_MEMORY, "create: out of memory");
    }
    memset(self, 0, sizeof *self);
    self->host = host;
    self->kind = kind;
    np_status status = bench_parse_config(self, config, error);
    if (status != NP_OK) {
        host->free(host, self, sizeof *self, _Alignof(bench_instance_t));
        return status;
    }
    *out_instance = (np_instance_t *)self;
    return NP_OK;
}

#define BENCH_CREATE_FN(name, kind)                                                                                    \
    static np_status NP_CDECL name(const np_host_t *host, np_str_t config, np_instance_t **out_instance,               \
                                   np_error_t *error) {                                                                \
        return bench_create(kind, host, config, out_instance, error);                                                  \
    }
BENCH_CREATE_FN(bench_create_copy, BENCH_COPY)
BENCH_CREATE_FN(bench_create_upper, BENCH_UPPER)
BENCH_CREATE_FN(bench_create_grep, BENCH_GREP)
BENCH_CREATE_FN(bench_create_count, BENCH_COUNT)

static void NP_CDECL bench_destroy(np_instance_t *instance) {
    bench_instance_t *self = (bench_instance_t *)instance;
    if (self != NULL) {
        self->host->free(self->host, self, sizeof *self, _Alignof(bench_instance_t));
    }
}

/* ---- the batch path: runs of records copied (or upper-cased) into host memory (np_transform.h, the emitter) -------- */

/* Emits records first..first+n of the batch as one block: one bounds check, one copy (or upper-case pass) of their
 * bytes, their offsets shifted to where the block lands. */
static inline np_status bench_emit_records(np_emitter_t *out, const np_batch_t *batch, uint64_t first, uint64_t n,
                                           int upper) {
    const uint64_t *offsets = batch->offsets;
    const uint64_t bytes = offsets[first + n] - offsets[first];
    if (out->data_capacity - out->data_used < bytes || out->offsets_capacity - out->count - 1 < n) {
        np_status status = out->reserve(out, bytes, n);
        if (status != NP_OK) {
            return status; /* rule P10: stop on a failed reserve */
        }
    }
    uint8_t *dst = out->data + out->data_used;
    const uint8_t *src = batch->data + offsets[first];
    if (upper) {
        np_ascii_upper(dst, src, (size_t)bytes);
    } else if (bytes > 0) {
        memcpy(dst, src, (size_t)bytes);
    }
    const uint64_t shift = out->data_used - offsets[first]; /* wraps when negative; the sums below wrap back */
    uint64_t *out_offsets = out->offsets + out->count;
    for (uint64_t k = 1; k <= n; k++) {
        out_offsets[k] = offsets[first + k] + shift;
    }
    out->count += n;
    out->data_used += bytes;
    return NP_OK;
}

/* grep: each run of consecutive records containing the pattern, as one block. */
static np_status bench_grep(const bench_instance_t *self, const np_batch_t *batch, np_emitter_t *out,
                            uint64_t *emitted) {
    const uint64_t count = batch->count;
    uint64_t r = np_bytes_find_record(batch->data, batch->offsets, count, 0, self->pattern, self->pattern_len, 0);
    while (r < count) {
        uint64_t end = r + 1, next;
        while ((next = np_bytes_find_record(batch->data, batch->offsets, count, end, self->pattern, self->pattern_len,
                                            0)) == end &&
               end < count) {
            end++;
        }
        np_status status = bench_emit_records(out, batch, r, end - r, 0);
        if (status != NP_OK) {
            return status;
        }
        *emitted += end - r;
        r = next;
    }
    return NP_OK;
}

static np_status NP_CDECL bench_process(np_instance_t *instance, const np_batch_t *batch, np_emitter_t *out,
                                        np_error_t *error) {
    bench_instance_t *self = (bench_instance_t *)instance;
    if (self == NULL || batch == NULL || out == NULL ||
        (batch->count > 0 && (batch->offsets == NULL || batch->data == NULL))) {
        return bench_fail(error, NP_ERR_INVALID_ARGUMENT, "process: NULL instance, batch, offsets, data or emitter");
    }
    const uint64_t count = batch->count;
    const uint64_t bytes_in = count > 0 ? batch->offsets[count] - batch->offsets[0] : 0;
    const uint64_t used_before = out->data_used;
    uint64_t emitted_records = 0;
    np_status status = NP_OK;
    if (self->kind == BENCH_GREP) {
        status = bench_grep(self, batch, out, &emitted_records);
    } else if (count > 0) {
        status = bench_emit_records(out, batch, 0, count, self->kind == BENCH_UPPER);
        emitted_records = status == NP_OK ? count : 0;
    }
    if (status != NP_OK) {
        bench_fail(error, status, "process: the host could not grow its output buffers");
    }
    self->stats.records_in += count;
    self->stats.bytes_in += bytes_in;
    self->stats.records_out += emitted_records;
    self->stats.bytes_out += out->data_used - used_before;
    return status;
}

static np_status NP_CDECL bench_flush(np_instance_t *instance, np_emitter_t *out, np_error_t *error) {
    if (instance == NULL || out == NULL) {
        return bench_fail(error, NP_ERR_INVALID_ARGUMENT, "flush: NULL instance or emitter");
    }
    return NP_OK; /* nothing is held back */
}

/* [leaf]: no host call, no allocation, bounded. Fills only what the caller's struct_size covers (rule H2 mirrored). */
static np_status NP_CDECL bench_stats(np_instance_t *instance, np_transform_stats_t *out_stats) {
    if (instance == NULL || out_stats == NULL) {
        return NP_ERR_INVALID_ARGUMENT;
    }
    const np_transform_stats_t *s = &((const bench_instance_t *)instance)->stats;
    uint32_t size = out_stats->struct_size;
    if (size >= sizeof(np_transform_stats_t)) {
        out_stats->records_in = s->records_in;
        out_stats->records_out = s->records_out;
        out_stats->bytes_in = s->bytes_in;
        out_stats->bytes_out = s->bytes_out;
        return NP_OK;
    }
    if (NP_HAS_FIELD(out_stats, np_transform_stats_t, records_in)) out_stats->records_in = s->records_in;
    if (NP_HAS_FIELD(out_stats, np_transform_stats_t, records_out)) out_stats->records_out = s->records_out;
    if (NP_HAS_FIELD(out_stats, np_transform_stats_t, bytes_in)) out_stats->bytes_in = s->bytes_in;
    if (NP_HAS_FIELD(out_stats, np_transform_stats_t, bytes_out)) out_stats->bytes_out = s->bytes_out;
    return NP_OK;
}

/* ---- descriptors ---------------------------------------------------------------------------------------------- */

#define BENCH_TRANSFORM_VTABLE(name, create_fn)                                                                        \
    static const np_transform_v1_t name = {                                                                            \
        sizeof(np_transform_v1_t), 0, create_fn, bench_destroy, bench_process, bench_flush, bench_stats,               \
    }
BENCH_TRANSFORM_VTABLE(copy_vtable, bench_create_copy);
BENCH_TRANSFORM_VTABLE(upper_vtable, bench_create_upper);
BENCH_TRANSFORM_VTABLE(grep_vtable, bench_create_grep);
BENCH_TRANSFORM_VTABLE(count_vtable, bench_create_count);

static const np_interface_t trivial_interfaces[] = {
    {BENCH_STR(NP_BENCH_ID), &bench_vtable},
    {BENCH_STR(NP_TRANSFORM_ID), &copy_vtable},
};
static const np_interface_t upper_interfaces[] = {{BENCH_STR(NP_TRANSFORM_ID), &upper_vtable}};
static const np_interface_t grep_interfaces[] = {{BENCH_STR(NP_TRANSFORM_ID), &grep_vtable}};
static const np_interface_t count_interfaces[] = {{BENCH_STR(NP_TRANSFORM_ID), &count_vtable}};

#define BENCH_PLUGIN(var, id, name, description, interfaces)                                                           \
    static const np_plugin_descriptor_t var = {                                                                        \
        sizeof(np_plugin_descriptor_t),                                                                                \
        NP_THREADING_SINGLE,                                                                                           \
        BENCH_STR(id),                                                                                                 \
        BENCH_STR(name),                                                                                               \
        BENCH_STR("1.0.0"),                                                                                            \
        BENCH_STR(description),                                                                                        \
        BENCH_STR("NativePlugins benchmarks"),                                                                         \
        interfaces,                                                                                                    \
        sizeof(interfaces) / sizeof(interfaces[0]),                                                                    \
        NULL,                                                                                                          \
    }
BENCH_PLUGIN(trivial_plugin, "org.nativeplugins.bench.trivial", "Bench trivial",
             "np.bench/1 trivial calls and a copy transform", trivial_interfaces);
BENCH_PLUGIN(upper_plugin, "org.nativeplugins.bench.upper", "Bench upper", "ASCII upper-case copy", upper_interfaces);
BENCH_PLUGIN(grep_plugin, "org.nativeplugins.bench.grep", "Bench grep", "keeps records containing pattern",
             grep_interfaces);
BENCH_PLUGIN(count_plugin, "org.nativeplugins.bench.count", "Bench count", "pass-through counter", count_interfaces);

static const np_plugin_descriptor_t *const bench_plugins[] = {&trivial_plugin, &upper_plugin, &grep_plugin,
                                                              &count_plugin};

static const np_library_t bench_library = {
    sizeof(np_library_t), 4, BENCH_STR("nplug-bench/1.0.0"), bench_plugins, bench_init, bench_deinit, 0,
};

NP_EXPORT np_status NP_CDECL np_entry(np_negotiation_t *negotiation, const np_library_t **out_library) {
    return bench_negotiate(negotiation, out_library, &bench_library);
}
