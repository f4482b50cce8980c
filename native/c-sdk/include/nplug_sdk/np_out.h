/*
 * np_out.h - appending a variable-size result to a caller-owned np_out_bytes_t (ABI 1.2, np_types.h).
 *
 *     np_status greet(acme_greeter_t *self, np_str_t name, np_out_bytes_t *out, np_error_t *error) {
 *         np_status st = np_out_write_cstr(out, "Hello, ", error);
 *         if (st == NP_OK) st = np_out_write(out, name.ptr, name.len, error);
 *         return st;
 *     }
 *
 * The caller owns the buffer; these functions append at len, call the caller's reserve only when the bytes do
 * not fit, check that reserve really made room (a caller that says NP_OK without room would otherwise make us
 * write out of bounds), and never lower len. A fixed buffer (reserve NULL) that is too small is
 * NP_ERR_OUT_OF_MEMORY with the size that was needed in the message. A failed reserve is final for the call:
 * return its status (every function here returns it unchanged, with a message).
 */
#ifndef NPLUG_SDK_OUT_H
#define NPLUG_SDK_OUT_H

#include "np_error.h"

NP_SDK_BEGIN_DECLS

/* Check what the callee may rely on: a readable struct, len <= capacity, data non-NULL when capacity > 0. */
NP_SDK_INLINE np_status np_out_check(const np_out_bytes_t *out, np_error_t *error) {
    if (!out) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "the output buffer (np_out_bytes_t) is NULL");
    if (out->struct_size < NP_MIN_SIZEOF_np_out_bytes_t)
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "np_out_bytes_t has struct_size %u; it is at least %u",
                            (unsigned)out->struct_size, (unsigned)NP_MIN_SIZEOF_np_out_bytes_t);
    if (out->len > out->capacity || (out->capacity && !out->data))
        return np_error_set(
            error, NP_ERR_INVALID_ARGUMENT, "np_out_bytes_t is inconsistent (len %llu, capacity %llu, data %s)",
            (unsigned long long)out->len, (unsigned long long)out->capacity, out->data ? "set" : "NULL");
    return NP_OK;
}

/* Make room for n more bytes: the caller's reserve when it has one, else NP_ERR_OUT_OF_MEMORY. */
NP_SDK_INLINE np_status np_out_reserve(np_out_bytes_t *out, uint64_t n, np_error_t *error) {
    if (out->capacity - out->len >= n) return NP_OK;
    if (!out->reserve)
        return np_error_set(error, NP_ERR_OUT_OF_MEMORY,
                            "the result needs %llu bytes; the caller's fixed buffer has %llu free",
                            (unsigned long long)(out->len + n), (unsigned long long)(out->capacity - out->len));
    np_status status = out->reserve(out, n);
    if (status != NP_OK)
        return np_error_set(error, status < 0 ? status : NP_ERR_OUT_OF_MEMORY,
                            "the caller could not grow its buffer to %llu bytes", (unsigned long long)(out->len + n));
    if (out->capacity < out->len || out->capacity - out->len < n || !out->data)
        return np_error_set(error, NP_ERR_OUT_OF_MEMORY,
                            "the caller's reserve returned NP_OK without room for %llu more bytes",
                            (unsigned long long)n);
    return NP_OK;
}

/* Append bytes[0..n). */
NP_SDK_INLINE np_status np_out_write(np_out_bytes_t *out, const void *bytes, uint64_t n, np_error_t *error) {
    np_status status = np_out_check(out, error);
    if (status != NP_OK) return status;
    if (n == 0) return NP_OK;
    if (!bytes) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "np_out_write: bytes is NULL");
    if (NP_SDK_UNLIKELY(out->capacity - out->len < n)) {
        status = np_out_reserve(out, n, error);
        if (status != NP_OK) return status;
    }
    memcpy(out->data + out->len, bytes, (size_t)n);
    out->len += n;
    return NP_OK;
}

/* Append an np_str_t / np_bytes_t. */
NP_SDK_INLINE np_status np_out_write_str(np_out_bytes_t *out, np_str_t text, np_error_t *error) {
    return np_out_write(out, text.ptr, text.len, error);
}

/* Append a NUL-terminated string (without the NUL). */
NP_SDK_INLINE np_status np_out_write_cstr(np_out_bytes_t *out, const char *text, np_error_t *error) {
    return np_out_write(out, text, text ? (uint64_t)strlen(text) : 0, error);
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_OUT_H */
