/*
 * np_error.h - writing failure messages into the caller's np_error_t (rule P5).
 *
 *     return np_error_set(error, NP_ERR_CONFIG, "unknown key '" NP_STR_FMT "'", NP_STR_ARG(key));
 *
 * The message is formatted printf-style straight into the caller's buffer: never past capacity, never
 * allocating (so it also works when memory ran out), cut at a UTF-8 character boundary, and repaired to
 * well-formed UTF-8 if an argument was not (invalid bytes become '?'). A NULL error or a zero capacity is
 * fine: then only the status is returned.
 */
#ifndef NPLUG_SDK_ERROR_H
#define NPLUG_SDK_ERROR_H

#include <stdarg.h>
#include <stdio.h>

#include "np_utf8.h"

NP_SDK_BEGIN_DECLS

/* Longest truncated message that is cut exactly at capacity; beyond it one byte of the capacity may stay
 * unused. (vsnprintf always writes a terminating NUL, so the exact cut needs a scratch buffer.) */
#define NP_ERROR_SCRATCH_SIZE 1024

/* Copy the bytes message[0..len) into the error buffer (truncated, repaired) and set code. Returns status. */
NP_SDK_INLINE np_status np_error_set_bytes(np_error_t *error, np_status status, int32_t code, const uint8_t *message,
                                           uint64_t len) {
    if (!error) return status;
    error->code = code;
    if (!error->message || error->capacity == 0) {
        error->len = 0;
        return status;
    }
    uint64_t n = len < error->capacity ? len : error->capacity;
    if (n) memcpy(error->message, message, (size_t)n);
    error->len = np_utf8_repair(error->message, n);
    return status;
}

/* va_list form of np_error_set_code. */
NP_SDK_INLINE np_status np_error_setv_code(np_error_t *error, np_status status, int32_t code, const char *fmt,
                                           va_list args) {
    if (!error) return status;
    error->code = code;
    if (!error->message || error->capacity == 0) {
        error->len = 0;
        return status;
    }
    va_list probe;
    va_copy(probe, args);
    int needed = vsnprintf(NULL, 0, fmt, probe);
    va_end(probe);
    if (needed < 0) { /* an encoding error in the format: still say something */
        static const char fallback[] = "(message could not be formatted)";
        return np_error_set_bytes(error, status, code, (const uint8_t *)fallback, sizeof fallback - 1);
    }
    uint64_t cap = error->capacity;
    uint64_t n;
    if ((uint64_t)needed < cap) {
        n = (uint64_t)vsnprintf((char *)error->message, (size_t)cap, fmt, args);
    } else if (cap < NP_ERROR_SCRATCH_SIZE) {
        char scratch[NP_ERROR_SCRATCH_SIZE];
        vsnprintf(scratch, (size_t)cap + 1, fmt, args); /* exactly cap bytes + NUL */
        memcpy(error->message, scratch, (size_t)cap);
        n = cap;
    } else {
        vsnprintf((char *)error->message, (size_t)cap, fmt, args); /* cap - 1 bytes + NUL */
        n = cap - 1;
    }
    /* A cut inside a character leaves an incomplete sequence at the end: repair drops it (UTF-8 boundary). */
    error->len = np_utf8_repair(error->message, n);
    return status;
}

/* Write a printf-style message and a plugin-specific detail code; returns status so you can `return` it. */
NP_SDK_INLINE NP_SDK_PRINTF(4, 5) np_status
    np_error_set_code(np_error_t *error, np_status status, int32_t code, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    np_status result = np_error_setv_code(error, status, code, fmt, args);
    va_end(args);
    return result;
}

/* Write a printf-style message (detail code 0); returns status so you can `return` it. */
NP_SDK_INLINE NP_SDK_PRINTF(3, 4) np_status np_error_set(np_error_t *error, np_status status, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    np_status result = np_error_setv_code(error, status, 0, fmt, args);
    va_end(args);
    return result;
}

/* The message currently in the buffer, as an np_str_t (empty when error is NULL). */
/* NP_ERR_INPUT for record `record_index` of the batch (0-based), with a printf-style message: hosts read the index
 * from error->code, which holds index + 1 (interop/README.md section 7; 0 when the index is above INT32_MAX - 1,
 * that is: not known). */
NP_SDK_INLINE NP_SDK_PRINTF(3, 4) np_status
    np_error_set_input(np_error_t *error, uint64_t record_index, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int32_t code = record_index < (uint64_t)INT32_MAX ? (int32_t)(record_index + 1) : 0;
    np_status status = np_error_setv_code(error, NP_ERR_INPUT, code, fmt, args);
    va_end(args);
    return status;
}

NP_SDK_INLINE np_str_t np_error_message(const np_error_t *error) {
    np_str_t s;
    s.ptr = error ? error->message : NULL;
    s.len = error && error->message ? (error->len <= error->capacity ? error->len : error->capacity) : 0;
    return s;
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_ERROR_H */
