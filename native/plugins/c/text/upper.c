/*
 * upper.c - org.nativeplugins.c.upper: upper-cases UTF-8 text records.
 *
 * Config (key=value;...):
 *   mode=simple|ascii   simple (default): a-z plus the length-preserving mappings of case_map.h;
 *                       ascii: only a-z.
 *   validate=true|false true (default): a record that is not well-formed UTF-8 fails with NP_ERR_INPUT naming
 *                       the record and byte; false: such bytes are copied unchanged.
 * Output has exactly the input's length, so each record is written in place into the host's buffer
 * (np_emit_reserve + np_emit_commit): one pass, no intermediate copy. Non-ASCII bytes are never split or
 * corrupted: multi-byte sequences are decoded, mapped and re-encoded at the same length, or copied.
 * Runs of ASCII bytes are upper-cased with the vector kernel np_ascii_upper_prefix (np_bytes.h: SSE2 16 bytes per
 * step, SWAR elsewhere); only the bytes >= 0x80 take the per-sequence path.
 */
#include <nplug_sdk/np_sdk.h>

#include "case_map.h"

#define UPPER_MODE_SIMPLE 0u
#define UPPER_MODE_ASCII 1u

typedef struct upper {
    np_sdk_instance_t base;
    uint32_t mode;
    int32_t validate;
} upper_t;

static const np_config_option_t upper_options[] = {
    NP_CONFIG_OPTION_CHOICE("mode", upper_t, mode, "simple|ascii"),
    NP_CONFIG_OPTION_BOOL("validate", upper_t, validate),
};

static np_status upper_create(np_sdk_instance_t *self, np_str_t config, np_error_t *error) {
    upper_t *u = (upper_t *)self;
    u->mode = UPPER_MODE_SIMPLE;
    u->validate = 1;
    return np_config_parse(config, upper_options, sizeof upper_options / sizeof upper_options[0], u, error);
}

/* Upper-case src[0..len) into dst (same length). Returns len, or the offset of the first byte that is not
 * well-formed UTF-8 when validate is set. */
static uint64_t upper_copy(const upper_t *u, uint8_t *dst, const uint8_t *src, uint64_t len) {
    uint64_t i = 0;
    while (i < len) {
        /* The ASCII run from i, upper-cased 16 bytes at a time (np_bytes.h); then one non-ASCII sequence. */
        i += np_ascii_upper_prefix(dst + i, src + i, (size_t)(len - i));
        if (i == len) break;
        uint8_t b = src[i];
        int incomplete;
        unsigned n = np_utf8_sequence_length(src + i, len - i, &incomplete);
        if (n == 0) {
            if (u->validate) return i;
            dst[i] = b; /* pass a stray byte through unchanged */
            i++;
            continue;
        }
        if (n == 2 && u->mode == UPPER_MODE_SIMPLE) {
            uint32_t cp = ((uint32_t)(b & 0x1F) << 6) | (uint32_t)(src[i + 1] & 0x3F);
            uint32_t up = case_map_upper_2byte(cp);
            dst[i] = (uint8_t)(0xC0 | (up >> 6));
            dst[i + 1] = (uint8_t)(0x80 | (up & 0x3F));
        } else {
            memcpy(dst + i, src + i, n);
        }
        i += n;
    }
    return len;
}

static np_status upper_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out, np_error_t *error) {
    const upper_t *u = (const upper_t *)self;
    for (uint64_t r = 0; r < batch->count; r++) {
        np_bytes_t record = np_batch_record(batch, r);
        uint8_t *dst;
        np_status status = np_emit_reserve(out, record.len, &dst);
        if (status != NP_OK)
            return np_error_set(error, status, "record %llu: the host could not make room for %llu bytes",
                                (unsigned long long)r, (unsigned long long)record.len);
        uint64_t done = upper_copy(u, dst, record.ptr, record.len);
        if (done != record.len) /* not committed: nothing of this record is emitted */
            return np_error_set_input(
                error, r, "record %llu is not valid UTF-8 (byte %llu); use validate=false to pass such bytes through",
                (unsigned long long)r, (unsigned long long)done);
        np_emit_commit(out, record.len);
    }
    return NP_OK;
}

static const np_sdk_transform_t upper_impl = {
    .instance_size = sizeof(upper_t),
    .create = upper_create,
    .process = upper_process,
};

NP_TRANSFORM_PLUGIN(
    upper_plugin, upper_impl, .id = NP_STR_LIT("org.nativeplugins.c.upper"), .name = NP_STR_LIT("Upper case"),
    .version = NP_STR_LIT("1.0.0"),
    .description = NP_STR_LIT("Upper-cases UTF-8 text in place (config: mode=simple|ascii; validate=true|false)"),
    .vendor = NP_STR_LIT("NativePlugins"));
