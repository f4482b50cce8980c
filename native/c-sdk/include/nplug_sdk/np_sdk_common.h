/*
 * np_sdk_common.h - basics shared by every header of the C plugin SDK (nplug-c).
 *
 * The SDK is header-only except for a tiny static library (np_c_sdk) that holds the one np_entry of a library,
 * the library descriptor and the generic np.transform/1 adapter (see np_transform_base.h). Every helper here is
 * `static inline`, C11 and C++ compatible, so plugins, hosts and tests can all use them.
 */
#ifndef NPLUG_SDK_COMMON_H
#define NPLUG_SDK_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <nplug/nplug.h>

/* The SDK's name and version, reported in np_library_t.sdk. */
#define NP_C_SDK_NAME "nplug-c"
#define NP_C_SDK_VERSION "0.2.0"
#define NP_C_SDK_ID NP_C_SDK_NAME "/" NP_C_SDK_VERSION

#ifdef __cplusplus
#define NP_SDK_BEGIN_DECLS extern "C" {
#define NP_SDK_END_DECLS }
#else
#define NP_SDK_BEGIN_DECLS
#define NP_SDK_END_DECLS
#endif

#define NP_SDK_INLINE static inline

#if defined(__GNUC__) || defined(__clang__)
#define NP_SDK_LIKELY(x) __builtin_expect(!!(x), 1)
#define NP_SDK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NP_SDK_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define NP_SDK_LIKELY(x) (x)
#define NP_SDK_UNLIKELY(x) (x)
#define NP_SDK_PRINTF(fmt_index, first_arg)
#endif

/* An np_str_t initializer for a string literal, usable in static initializers:
 *     static const np_str_t name = NP_STR_LIT("Upper case");
 *     .id = NP_STR_LIT("org.example.upper")                (in a designated initializer) */
#define NP_STR_LIT(literal)                                                                                            \
    { (const uint8_t *)("" literal), sizeof("" literal) - 1 }

/* printf support for np_str_t / np_bytes_t:  printf("id " NP_STR_FMT "\n", NP_STR_ARG(s)); */
#define NP_STR_FMT "%.*s"
#define NP_STR_ARG(s) (int)((s).len > 0x7fffffffu ? 0x7fffffffu : (s).len), ((s).ptr ? (const char *)(s).ptr : "")

NP_SDK_BEGIN_DECLS

/* A borrowed view of a NUL-terminated C string. */
NP_SDK_INLINE np_str_t np_str_from_cstr(const char *s) {
    np_str_t out;
    out.ptr = (const uint8_t *)s;
    out.len = s ? (uint64_t)strlen(s) : 0;
    return out;
}

/* Byte-wise equality of an np_str_t and a C string. */
NP_SDK_INLINE int np_str_eq_cstr(np_str_t s, const char *c) {
    size_t n = strlen(c);
    return s.len == (uint64_t)n && (n == 0 || memcmp(s.ptr, c, n) == 0);
}

NP_SDK_INLINE int np_str_eq(np_str_t a, np_str_t b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

/* The symbolic name of a status code ("NP_ERR_CONFIG"), for messages. Unknown negative codes are reported as
 * such (hosts treat them as NP_ERR_PLUGIN). */
NP_SDK_INLINE const char *np_status_name(np_status status) {
    switch (status) {
    case NP_OK: return "NP_OK";
    case NP_ERR_INVALID_ARGUMENT: return "NP_ERR_INVALID_ARGUMENT";
    case NP_ERR_CONFIG: return "NP_ERR_CONFIG";
    case NP_ERR_UNSUPPORTED: return "NP_ERR_UNSUPPORTED";
    case NP_ERR_VERSION: return "NP_ERR_VERSION";
    case NP_ERR_OUT_OF_MEMORY: return "NP_ERR_OUT_OF_MEMORY";
    case NP_ERR_STATE: return "NP_ERR_STATE";
    case NP_ERR_INPUT: return "NP_ERR_INPUT";
    case NP_ERR_PLUGIN: return "NP_ERR_PLUGIN";
    case NP_ERR_PANIC: return "NP_ERR_PANIC";
    default: return status < 0 ? "unknown error status" : "invalid positive status";
    }
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_COMMON_H */
