/*
 * np_types.h - the blittable base types of the ABI: status codes, strings, byte spans, error buffers.
 *
 * Rules for every type in the ABI (interop/README.md, rule A1): fixed-width integers, pointers and
 * structs of them only. No bool, no char values, no enums (their size is unspecified), no bitfields.
 * Flags and enumerations are uint32_t/int32_t with #define'd values.
 */
#ifndef NP_TYPES_H
#define NP_TYPES_H

#include <stdint.h>

#include "np_version.h"

/* ---- Status codes ------------------------------------------------------------------------------
 * Every fallible function returns np_status. NP_OK is zero, every failure is negative. Hosts must treat an
 * unknown negative value as NP_ERR_PLUGIN (new codes may be appended in a minor version). */
typedef int32_t np_status;

#define NP_OK 0
/* An argument broke the contract (NULL where required, wrong struct_size, invalid UTF-8, ...). */
#define NP_ERR_INVALID_ARGUMENT (-1)
/* The config string given to create() is malformed or names an unknown option. */
#define NP_ERR_CONFIG (-2)
/* The requested interface, version or feature is not supported by this peer. */
#define NP_ERR_UNSUPPORTED (-3)
/* ABI major versions differ; returned by np_entry. */
#define NP_ERR_VERSION (-4)
/* An allocation failed (including a failed np_emitter_t.reserve). */
#define NP_ERR_OUT_OF_MEMORY (-5)
/* The call is not valid in the instance's current state (for example after a poisoning failure). */
#define NP_ERR_STATE (-6)
/* The input data was rejected (a record the plugin cannot process). The instance stays usable. */
#define NP_ERR_INPUT (-7)
/* The plugin failed internally. The instance stays usable unless the spec of the call says otherwise. */
#define NP_ERR_PLUGIN (-8)
/* A panic (Rust) or exception (C#) was caught at the boundary. The instance is poisoned: every later
 * call on it except destroy returns NP_ERR_STATE (interop/README.md, rule P7). */
#define NP_ERR_PANIC (-9)

/* ---- Strings and byte spans --------------------------------------------------------------------
 * np_str_t: UTF-8 text, ptr[0..len). Not NUL-terminated in general (producers may add a NUL after len, but
 * consumers must not rely on it). len == 0 with ptr == NULL is the empty string. Borrowed: the owner and
 * lifetime are stated wherever a np_str_t appears. */
typedef struct np_str {
    const uint8_t *ptr;
    uint64_t len;
} np_str_t;

/* np_bytes_t: an opaque byte span, ptr[0..len). Same ownership rules as np_str_t. */
typedef struct np_bytes {
    const uint8_t *ptr;
    uint64_t len;
} np_bytes_t;

/* ---- Error messages -----------------------------------------------------------------------------
 * Every fallible call takes an np_error_t* that the CALLER owns (it may be NULL: then no message is
 * wanted). When the callee returns a failing status it writes a human-readable UTF-8 message into
 * message[0..capacity), sets len to the bytes written (truncating at a UTF-8 boundary) and may set code to a
 * plugin-specific detail code. The callee never allocates for it and never writes past capacity; on success
 * it leaves the buffer untouched. Rule P5: every failing status comes with a non-empty message when
 * error != NULL and capacity > 0. */
typedef struct np_error {
    uint8_t *message;   /* caller-owned buffer, valid for the duration of the call */
    uint64_t capacity;  /* size of message in bytes */
    uint64_t len;       /* out: bytes written */
    int32_t code;       /* out: optional plugin-specific detail code, 0 if none */
    uint32_t reserved;  /* must be 0 */
} np_error_t;

/* ---- Variable-size output (@since 1.2) ----------------------------------------------------------
 * The ABI's one convention for a function that returns data whose size only the callee knows (an interface
 * function `describe(self, np_out_bytes_t *out, np_error_t *error)`): the CALLER owns the buffer, the callee
 * appends to it and returns once. There is no "call again with a bigger buffer" protocol, so a stateful call
 * never runs twice, and nothing is freed across allocators.
 *   - The callee writes only data[len..capacity) and then raises len; it never lowers len.
 *   - When it needs more room it calls reserve(out, additional); on NP_OK it re-reads data and capacity (the
 *     buffer may have moved), which then hold at least len + additional bytes. A failed reserve is final for the
 *     call: the callee returns that status (NP_ERR_OUT_OF_MEMORY).
 *   - reserve is NULL when the caller's buffer cannot grow; the callee then fails with NP_ERR_OUT_OF_MEMORY
 *     when the data does not fit, naming the size it needed in the error message.
 *   - What the callee appended before a failure stays appended; the caller decides whether to use it.
 * Caller-owned, valid during the call; the callee keeps no pointer into it after returning. */
typedef struct np_out_bytes {
    uint32_t struct_size;  /* sizeof(np_out_bytes_t) as the caller knows it */
    uint32_t reserved;     /* must be 0 */
    uint8_t *data;         /* caller-owned buffer: capacity bytes */
    uint64_t len;          /* in/out: bytes written so far */
    uint64_t capacity;     /* bytes at data */
    void *context;         /* the caller's, for reserve; the callee does not touch it */
    /* [callee's thread] Grow to at least len + additional bytes. Optional: NULL when the buffer is fixed. */
    np_status (NP_CDECL *reserve)(struct np_out_bytes *out, uint64_t additional);
} np_out_bytes_t;

/* ---- Log levels (np_host_t.log) ----------------------------------------------------------------- */
#define NP_LOG_TRACE 0
#define NP_LOG_DEBUG 1
#define NP_LOG_INFO 2
#define NP_LOG_WARN 3
#define NP_LOG_ERROR 4

#endif /* NP_TYPES_H */
