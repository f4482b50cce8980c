/*
 * grep.c - org.nativeplugins.c.grep: keeps the records that contain a substring (or, inverted, that do not).
 *
 * Config (key=value;...):
 *   pattern=<text>        required, non-empty; the substring to look for (cannot contain ';')
 *   invert=true|false     false (default): keep matching records; true: keep the others
 *   ignore_case=true|false false (default); true folds ASCII letters only (UTF-8 multi-byte sequences never
 *                         contain ASCII bytes, so folding cannot break them)
 * Records are matched as bytes; they need not be UTF-8. Kept records are copied unchanged.
 *
 * Batch-level and vectorized (np_bytes.h): one substring search runs across the whole batch (its records are
 * contiguous; a hit straddling two records belongs to neither) instead of one search per record, comparing the
 * pattern's first and last byte at 16 or 32 positions per step (SSE2/AVX2, SWAR elsewhere); each run of
 * consecutive kept records is copied with one memcpy (np_emit_records).
 */
#include <nplug_sdk/np_sdk.h>

typedef struct grep {
    np_sdk_instance_t base;
    uint8_t *pattern; /* host memory, lower-cased (ASCII) when ignore_case; pattern_len + 1 bytes */
    uint64_t pattern_len;
    int32_t invert;
    int32_t ignore_case;
} grep_t;

typedef struct grep_options {
    np_str_t pattern;
    int32_t invert;
    int32_t ignore_case;
} grep_options_t;

static const np_config_option_t grep_config[] = {
    NP_CONFIG_OPTION_STRING("pattern", grep_options_t, pattern, NP_CONFIG_REQUIRED | NP_CONFIG_NONEMPTY),
    NP_CONFIG_OPTION_BOOL("invert", grep_options_t, invert),
    NP_CONFIG_OPTION_BOOL("ignore_case", grep_options_t, ignore_case),
};

static np_status grep_create(np_sdk_instance_t *self, np_str_t config, np_error_t *error) {
    grep_t *g = (grep_t *)self;
    grep_options_t options = {{NULL, 0}, 0, 0};
    np_status status =
        np_config_parse(config, grep_config, sizeof grep_config / sizeof grep_config[0], &options, error);
    if (status != NP_OK) return status;

    g->invert = options.invert;
    g->ignore_case = options.ignore_case;
    /* The config is borrowed for this call only: keep a copy, folded once here instead of per record. */
    g->pattern = np_host_copy_bytes(self->host, options.pattern.ptr, options.pattern.len);
    if (!g->pattern)
        return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "could not allocate %llu bytes for the pattern",
                            (unsigned long long)options.pattern.len + 1);
    g->pattern_len = options.pattern.len;
    if (g->ignore_case)
        for (uint64_t i = 0; i < g->pattern_len; i++) g->pattern[i] = np_ascii_lower_byte(g->pattern[i]);
    return NP_OK;
}

static void grep_destroy(np_sdk_instance_t *self) {
    grep_t *g = (grep_t *)self;
    np_host_free(self->host, g->pattern, g->pattern_len + 1, 1);
}

/* The first record r >= first containing the pattern (folded when ignore_case), or batch->count. */
static uint64_t grep_next_match(const grep_t *g, const np_batch_t *batch, uint64_t first) {
    return np_bytes_find_record(batch->data, batch->offsets, batch->count, first, g->pattern, (size_t)g->pattern_len,
                                g->ignore_case);
}

/* Emit records first..end as one block, or say which record could not be emitted. */
static np_status grep_emit_run(const np_batch_t *batch, np_emitter_t *out, uint64_t first, uint64_t end,
                               np_error_t *error) {
    if (end == first) return NP_OK;
    np_status status = np_emit_records(out, batch, first, end - first);
    if (status != NP_OK)
        return np_error_set(error, status, "records %llu..%llu: the host could not make room for %llu bytes",
                            (unsigned long long)first, (unsigned long long)(end - 1),
                            (unsigned long long)(batch->offsets[end] - batch->offsets[first]));
    return NP_OK;
}

static np_status grep_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out, np_error_t *error) {
    const grep_t *g = (const grep_t *)self;
    const uint64_t count = batch->count;
    uint64_t r = grep_next_match(g, batch, 0);
    if (g->invert) { /* keep the gaps between matching records */
        uint64_t keep_from = 0;
        while (r < count) {
            np_status status = grep_emit_run(batch, out, keep_from, r, error);
            if (status != NP_OK) return status;
            keep_from = r + 1;
            r = grep_next_match(g, batch, r + 1);
        }
        return grep_emit_run(batch, out, keep_from, count, error);
    }
    while (r < count) { /* keep each run of consecutive matching records */
        uint64_t end = r + 1, next;
        while ((next = grep_next_match(g, batch, end)) == end && end < count) end++;
        np_status status = grep_emit_run(batch, out, r, end, error);
        if (status != NP_OK) return status;
        r = next;
    }
    return NP_OK;
}

static const np_sdk_transform_t grep_impl = {
    .instance_size = sizeof(grep_t),
    .create = grep_create,
    .process = grep_process,
    .destroy = grep_destroy,
};

NP_TRANSFORM_PLUGIN(
    grep_plugin, grep_impl, .id = NP_STR_LIT("org.nativeplugins.c.grep"), .name = NP_STR_LIT("Substring filter"),
    .version = NP_STR_LIT("1.0.0"),
    .description = NP_STR_LIT("Keeps records containing a substring (config: pattern=...; invert=true|false; "
                              "ignore_case=true|false)"),
    .vendor = NP_STR_LIT("NativePlugins"));
