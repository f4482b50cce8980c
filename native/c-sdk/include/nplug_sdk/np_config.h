/*
 * np_config.h - parsing the `key=value;key=value` config strings every sample plugin takes.
 *
 * Grammar (interop/README.md section 7, "Config strings"; every case with its exact message is in
 * interop/vectors/config.tsv, which the Rust and C# SDKs run too): parts separated by ';' (no escape: a value
 * cannot contain ';'). A part is `key=value`, split at the first '='; key and value are trimmed of space, TAB, CR
 * and LF. Parts that are empty or blank are skipped, so "", ";" and "a=1;" are fine. Keys and values are
 * case-sensitive. One pass from left to right; for each part: no '=', empty key, unknown key, key given twice, the
 * value's own check; then missing required keys in declaration order.
 *
 * Declarative use (recommended): describe the options once, get NP_ERR_CONFIG messages that name the problem
 * ("unknown key 'patern' (known keys: pattern, invert, ignore_case)") for free:
 *
 *     typedef struct { np_str_t pattern; int32_t invert; } grep_options_t;
 *     static const np_config_option_t grep_config[] = {
 *         NP_CONFIG_OPTION_STRING("pattern", grep_options_t, pattern, NP_CONFIG_REQUIRED | NP_CONFIG_NONEMPTY),
 *         NP_CONFIG_OPTION_BOOL("invert", grep_options_t, invert),
 *     };
 *     grep_options_t opts = { {NULL, 0}, 0 };                      // defaults
 *     st = np_config_parse(config, grep_config, 2, &opts, error);  // NP_OK or NP_ERR_CONFIG + message
 *
 * String values (np_str_t, trimmed) point INTO the config string, which is borrowed for the create call only:
 * copy what you keep. Bool values are exactly true|false|1|0 (stored as int32_t 1/0), integers are ASCII digits
 * within [min, max] (uint64_t; no sign, no '+': "-1" is out of range), choices are one of "a|b|c" (stored as the
 * uint32_t index).
 * The low-level reader (np_config_next) is there for plugins with free-form keys.
 */
#ifndef NPLUG_SDK_CONFIG_H
#define NPLUG_SDK_CONFIG_H

#include "np_error.h"

NP_SDK_BEGIN_DECLS

/* ---- Low level: one key=value part at a time ------------------------------------------------------------ */

typedef struct np_config_entry {
    np_str_t key;   /* trimmed, non-empty */
    np_str_t value; /* trimmed, may be empty */
    uint32_t part;  /* 1-based position of the part in the string, for messages */
} np_config_entry_t;

typedef struct np_config_reader {
    np_str_t text;
    uint64_t pos;
    uint32_t part;
} np_config_reader_t;

/* np_config_next returns this (a positive value, never a status) when there are no more parts. */
#define NP_CONFIG_END 1

NP_SDK_INLINE int np_config_is_blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

NP_SDK_INLINE np_str_t np_config_trim(np_str_t s) {
    while (s.len && np_config_is_blank(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && np_config_is_blank(s.ptr[s.len - 1])) s.len--;
    return s;
}

NP_SDK_INLINE void np_config_reader_init(np_config_reader_t *reader, np_str_t config) {
    reader->text = config;
    reader->pos = 0;
    reader->part = 0;
}

/* Next key=value part: NP_OK with *entry filled, NP_CONFIG_END when done, or NP_ERR_CONFIG for a malformed part
 * (no '=', empty key), with a message naming the part. */
NP_SDK_INLINE int np_config_next(np_config_reader_t *reader, np_config_entry_t *entry, np_error_t *error) {
    const uint8_t *p = reader->text.ptr;
    uint64_t len = reader->text.len;
    memset(entry, 0, sizeof *entry);
    while (reader->pos < len) {
        uint64_t begin = reader->pos, end = begin;
        while (end < len && p[end] != ';') end++;
        reader->pos = end < len ? end + 1 : len;
        reader->part++;
        np_str_t part;
        part.ptr = p + begin;
        part.len = end - begin;
        if (np_config_trim(part).len == 0) continue; /* empty part: "a=1;;b=2", trailing ';' */
        uint64_t eq = 0;
        while (eq < part.len && part.ptr[eq] != '=') eq++;
        if (eq == part.len)
            return np_error_set(error, NP_ERR_CONFIG, "config part %u '" NP_STR_FMT "' is not key=value",
                                (unsigned)reader->part, NP_STR_ARG(np_config_trim(part)));
        np_str_t key;
        key.ptr = part.ptr;
        key.len = eq;
        key = np_config_trim(key);
        if (key.len == 0)
            return np_error_set(error, NP_ERR_CONFIG, "config part %u '" NP_STR_FMT "' has an empty key",
                                (unsigned)reader->part, NP_STR_ARG(np_config_trim(part)));
        entry->key = key;
        entry->value.ptr = part.ptr + eq + 1;
        entry->value.len = part.len - eq - 1;
        entry->value = np_config_trim(entry->value);
        entry->part = reader->part;
        return NP_OK;
    }
    return NP_CONFIG_END;
}

/* Value parsers. Each returns 1 on success. */
NP_SDK_INLINE int np_config_parse_bool(np_str_t value, int32_t *out) {
    value = np_config_trim(value);
    if (np_str_eq_cstr(value, "true") || np_str_eq_cstr(value, "1"))
        *out = 1;
    else if (np_str_eq_cstr(value, "false") || np_str_eq_cstr(value, "0"))
        *out = 0;
    else
        return 0;
    return 1;
}

NP_SDK_INLINE int np_config_parse_u64(np_str_t value, uint64_t *out) {
    value = np_config_trim(value);
    if (value.len == 0) return 0;
    uint64_t v = 0;
    for (uint64_t i = 0; i < value.len; i++) {
        uint8_t c = value.ptr[i];
        if (c < '0' || c > '9') return 0;
        if (v > (UINT64_MAX - (uint64_t)(c - '0')) / 10) return 0; /* overflow */
        v = v * 10 + (uint64_t)(c - '0');
    }
    *out = v;
    return 1;
}

/* Index of value in choices "a|b|c", or -1. */
NP_SDK_INLINE int32_t np_config_choice_index(np_str_t value, const char *choices) {
    value = np_config_trim(value);
    int32_t index = 0;
    const char *c = choices;
    while (*c) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if ((uint64_t)n == value.len && (n == 0 || memcmp(c, value.ptr, n) == 0)) return index;
        if (!bar) break;
        c = bar + 1;
        index++;
    }
    return -1;
}

/* ---- Declarative: a table of options ------------------------------------------------------------------- */

#define NP_CONFIG_TYPE_STRING 1u /* field type np_str_t */
#define NP_CONFIG_TYPE_BOOL 2u   /* field type int32_t (1/0) */
#define NP_CONFIG_TYPE_U64 3u    /* field type uint64_t */
#define NP_CONFIG_TYPE_CHOICE 4u /* field type uint32_t (index into choices) */

#define NP_CONFIG_REQUIRED 1u /* the key must be given */
#define NP_CONFIG_NONEMPTY 2u /* strings: the value must not be empty */

typedef struct np_config_option {
    const char *key;
    uint32_t type;
    uint32_t flags;
    size_t offset;       /* of the field in the target struct */
    uint64_t min, max;   /* U64: allowed range */
    const char *choices; /* CHOICE: "a|b|c" */
} np_config_option_t;

/* Compile-time check that a field has the size its option type writes (a mistake here would be memory
 * corruption, so it is a build error instead). */
#define NP_CONFIG_FIELD_(type, field, ctype)                                                                           \
    (offsetof(type, field) + 0 * sizeof(char[sizeof(((type *)0)->field) == sizeof(ctype) ? 1 : -1]))

#define NP_CONFIG_OPTION_STRING(key, type, field, flags)                                                               \
    { key, NP_CONFIG_TYPE_STRING, flags, NP_CONFIG_FIELD_(type, field, np_str_t), 0, 0, NULL }
#define NP_CONFIG_OPTION_BOOL(key, type, field)                                                                        \
    { key, NP_CONFIG_TYPE_BOOL, 0, NP_CONFIG_FIELD_(type, field, int32_t), 0, 0, NULL }
#define NP_CONFIG_OPTION_U64(key, type, field, min, max)                                                               \
    { key, NP_CONFIG_TYPE_U64, 0, NP_CONFIG_FIELD_(type, field, uint64_t), min, max, NULL }
#define NP_CONFIG_OPTION_CHOICE(key, type, field, choices)                                                             \
    { key, NP_CONFIG_TYPE_CHOICE, 0, NP_CONFIG_FIELD_(type, field, uint32_t), 0, 0, choices }

/* Most options one table may have. */
#define NP_CONFIG_MAX_OPTIONS 64

/* "pattern, invert, ignore_case" into buf (for the unknown-key message). */
NP_SDK_INLINE const char *np_config_key_list_(const np_config_option_t *options, size_t count, char *buf, size_t cap) {
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < count && used + 1 < cap; i++) {
        int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", options[i].key);
        if (n < 0) break;
        used += (size_t)n;
    }
    return count ? buf : "none";
}

/* Parse config into target according to options. Fields of keys that are not given keep their values (set
 * your defaults first). NP_OK, or NP_ERR_CONFIG with a message naming the key or part. */
NP_SDK_INLINE np_status np_config_parse(np_str_t config, const np_config_option_t *options, size_t option_count,
                                        void *target, np_error_t *error) {
    uint64_t bad = 0;
    if (config.len && !config.ptr) return np_error_set(error, NP_ERR_CONFIG, "config pointer is NULL");
    if (!np_utf8_validate(config.ptr, config.len, &bad))
        return np_error_set(error, NP_ERR_CONFIG, "config is not valid UTF-8 (byte %llu)", (unsigned long long)bad);
    if (option_count > NP_CONFIG_MAX_OPTIONS)
        return np_error_set(error, NP_ERR_PLUGIN, "plugin defines more than %d config options", NP_CONFIG_MAX_OPTIONS);
    uint64_t seen = 0;
    np_config_reader_t reader;
    np_config_entry_t entry;
    int rc;
    np_config_reader_init(&reader, config);
    while ((rc = np_config_next(&reader, &entry, error)) == NP_OK) {
        size_t i = 0;
        while (i < option_count && !np_str_eq_cstr(entry.key, options[i].key)) i++;
        if (i == option_count) {
            char keys[256];
            if (option_count == 0)
                return np_error_set(error, NP_ERR_CONFIG,
                                    "unknown config key '" NP_STR_FMT "' (this plugin takes no config)",
                                    NP_STR_ARG(entry.key));
            return np_error_set(error, NP_ERR_CONFIG, "unknown config key '" NP_STR_FMT "' (known keys: %s)",
                                NP_STR_ARG(entry.key), np_config_key_list_(options, option_count, keys, sizeof keys));
        }
        const np_config_option_t *opt = &options[i];
        if (seen & (1ull << i))
            return np_error_set(error, NP_ERR_CONFIG, "config key '%s' is given more than once", opt->key);
        seen |= 1ull << i;
        void *field = (uint8_t *)target + opt->offset;
        switch (opt->type) {
        case NP_CONFIG_TYPE_STRING:
            if ((opt->flags & NP_CONFIG_NONEMPTY) && entry.value.len == 0)
                return np_error_set(error, NP_ERR_CONFIG, "config key '%s' must not be empty", opt->key);
            memcpy(field, &entry.value, sizeof entry.value);
            break;
        case NP_CONFIG_TYPE_BOOL: {
            int32_t b;
            if (!np_config_parse_bool(entry.value, &b))
                return np_error_set(error, NP_ERR_CONFIG,
                                    "config key '%s' must be true, false, 1 or 0, got '" NP_STR_FMT "'", opt->key,
                                    NP_STR_ARG(entry.value));
            memcpy(field, &b, sizeof b);
            break;
        }
        case NP_CONFIG_TYPE_U64: {
            uint64_t v;
            if (!np_config_parse_u64(entry.value, &v) || v < opt->min || v > opt->max)
                return np_error_set(
                    error, NP_ERR_CONFIG, "config key '%s' must be an integer in %llu..%llu, got '" NP_STR_FMT "'",
                    opt->key, (unsigned long long)opt->min, (unsigned long long)opt->max, NP_STR_ARG(entry.value));
            memcpy(field, &v, sizeof v);
            break;
        }
        case NP_CONFIG_TYPE_CHOICE: {
            int32_t index = np_config_choice_index(entry.value, opt->choices);
            if (index < 0)
                return np_error_set(error, NP_ERR_CONFIG, "config key '%s' must be one of %s, got '" NP_STR_FMT "'",
                                    opt->key, opt->choices, NP_STR_ARG(entry.value));
            uint32_t u = (uint32_t)index;
            memcpy(field, &u, sizeof u);
            break;
        }
        default:
            return np_error_set(error, NP_ERR_PLUGIN, "config option '%s' has an unknown type %u", opt->key,
                                (unsigned)opt->type);
        }
    }
    if (rc != NP_CONFIG_END) return (np_status)rc;
    for (size_t i = 0; i < option_count; i++)
        if ((options[i].flags & NP_CONFIG_REQUIRED) && !(seen & (1ull << i)))
            return np_error_set(error, NP_ERR_CONFIG, "missing required config key '%s'", options[i].key);
    return NP_OK;
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_CONFIG_H */
