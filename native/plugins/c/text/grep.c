/*
 * grep.c - org.nativeplugins.c.grep: keeps the records that contain a substring (or, inverted, that do not).
 *
 * Config (key=value;...):
 *   pattern=<text>        required, non-empty; the substring to look for (cannot contain ';')
 *   invert=true|false     false (default): keep matching records; true: keep the others
 *   ignore_case=true|false false (default); true folds ASCII letters only (UTF-8 multi-byte sequences never
 *                         contain ASCII bytes, so folding cannot break them)
 * Records are matched as bytes (Boyer-Moore-Horspool); they need not be UTF-8. Kept records are copied
 * unchanged.
 */
#include <nplug_sdk/np_sdk.h>

typedef struct grep {
    np_sdk_instance_t base;
    uint8_t *pattern; /* host memory, folded when ignore_case; pattern_len + 1 bytes */
    uint64_t pattern_len;
    int32_t invert;
    int32_t ignore_case;
    uint8_t fold[256];   /* byte -> byte used for comparison */
    uint64_t shift[256]; /* Horspool bad-character shifts over folded bytes */
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
    for (unsigned b = 0; b < 256; b++)
        g->fold[b] = (uint8_t)((options.ignore_case && b >= 'A' && b <= 'Z') ? b + 0x20 : b);
    /* The config is borrowed for this call only: keep a copy, folded once here instead of per record. */
    g->pattern = np_host_copy_bytes(self->host, options.pattern.ptr, options.pattern.len);
    if (!g->pattern)
        return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "could not allocate %llu bytes for the pattern",
                            (unsigned long long)options.pattern.len + 1);
    g->pattern_len = options.pattern.len;
    for (uint64_t i = 0; i < g->pattern_len; i++) g->pattern[i] = g->fold[g->pattern[i]];
    for (unsigned b = 0; b < 256; b++) g->shift[b] = g->pattern_len;
    for (uint64_t i = 0; i + 1 < g->pattern_len; i++) g->shift[g->pattern[i]] = g->pattern_len - 1 - i;
    return NP_OK;
}

static void grep_destroy(np_sdk_instance_t *self) {
    grep_t *g = (grep_t *)self;
    np_host_free(self->host, g->pattern, g->pattern_len + 1, 1);
}

/* Does hay[0..n) contain the (folded) pattern? Boyer-Moore-Horspool. */
static int grep_contains(const grep_t *g, const uint8_t *hay, uint64_t n) {
    const uint64_t m = g->pattern_len;
    const uint8_t *p = g->pattern;
    if (m > n) return 0;
    for (uint64_t i = 0; i <= n - m;) {
        uint8_t last = g->fold[hay[i + m - 1]];
        if (last == p[m - 1]) {
            uint64_t k = 0;
            while (k + 1 < m && g->fold[hay[i + k]] == p[k]) k++;
            if (k + 1 >= m) return 1;
        }
        i += g->shift[last];
    }
    return 0;
}

static np_status grep_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out, np_error_t *error) {
    const grep_t *g = (const grep_t *)self;
    for (uint64_t r = 0; r < batch->count; r++) {
        np_bytes_t record = np_batch_record(batch, r);
        if (grep_contains(g, record.ptr, record.len) == !g->invert) {
            np_status status = np_emit_bytes(out, record);
            if (status != NP_OK)
                return np_error_set(error, status, "record %llu: the host could not make room for %llu bytes",
                                    (unsigned long long)r, (unsigned long long)record.len);
        }
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
