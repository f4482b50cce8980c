/*
 * np_emit.h - appending output records to a host-provided np_emitter_t (rule P10).
 *
 * Copying a record:                       Writing a record in place (no intermediate buffer):
 *     st = np_emit(out, bytes, n);            uint8_t *dst;
 *     if (st != NP_OK) return ...;            st = np_emit_reserve(out, max_n, &dst);
 *                                             if (st != NP_OK) return ...;
 *                                             n = write_into(dst, max_n);   // n <= max_n
 *                                             np_emit_commit(out, n);
 * Passing records of a batch through as one block (a filter's run of kept records):
 *     st = np_emit_records(out, batch, first, n);
 *
 * The fast path is a bounds check and a memcpy into host memory; the host's reserve is called only when its
 * buffers must grow. After a failed reserve the plugin must stop and return that status (rule P10): every
 * function here returns it unchanged. Between np_emit_reserve and np_emit_commit do not emit anything else.
 */
#ifndef NPLUG_SDK_EMIT_H
#define NPLUG_SDK_EMIT_H

#include "np_sdk_common.h"

NP_SDK_BEGIN_DECLS

/* Slow path: ask the host for room for extra_bytes and extra_records, then check that it really made it (a
 * host that returns NP_OK without room would otherwise make us write out of bounds). */
NP_SDK_INLINE np_status np_emit_grow(np_emitter_t *out, uint64_t extra_bytes, uint64_t extra_records) {
    np_status status = out->reserve(out, extra_bytes, extra_records);
    if (status != NP_OK) return status;
    if (out->data_capacity - out->data_used < extra_bytes || out->offsets_capacity - out->count < extra_records + 1)
        return NP_ERR_OUT_OF_MEMORY;
    return NP_OK;
}

/* Is there room for n more bytes and one more record without calling the host? */
NP_SDK_INLINE int np_emit_has_room(const np_emitter_t *out, uint64_t n) {
    return out->data_capacity - out->data_used >= n && out->offsets_capacity - out->count >= 2;
}

/* Append bytes[0..n) as one record. */
NP_SDK_INLINE np_status np_emit(np_emitter_t *out, const void *bytes, uint64_t n) {
    if (NP_SDK_UNLIKELY(!np_emit_has_room(out, n))) {
        np_status status = np_emit_grow(out, n, 1);
        if (status != NP_OK) return status;
    }
    if (n) memcpy(out->data + out->data_used, bytes, (size_t)n);
    out->data_used += n;
    out->offsets[++out->count] = out->data_used;
    return NP_OK;
}

/* Append an np_bytes_t / np_str_t as one record. */
NP_SDK_INLINE np_status np_emit_bytes(np_emitter_t *out, np_bytes_t record) {
    return np_emit(out, record.ptr, record.len);
}

/* Make room for one record of at most max_bytes and return where to write it (valid until the next call on
 * the emitter). Nothing is emitted until np_emit_commit. */
NP_SDK_INLINE np_status np_emit_reserve(np_emitter_t *out, uint64_t max_bytes, uint8_t **dst) {
    if (NP_SDK_UNLIKELY(!np_emit_has_room(out, max_bytes))) {
        np_status status = np_emit_grow(out, max_bytes, 1);
        if (status != NP_OK) {
            *dst = NULL;
            return status;
        }
    }
    *dst = out->data ? out->data + out->data_used : NULL; /* NULL only when max_bytes == 0 */
    return NP_OK;
}

/* Emit the first n bytes written at the pointer np_emit_reserve returned (n <= its max_bytes). */
NP_SDK_INLINE void np_emit_commit(np_emitter_t *out, uint64_t n) {
    out->data_used += n;
    out->offsets[++out->count] = out->data_used;
}

/* Append records first..first + n of batch unchanged, as one block: one room check, one memcpy of their bytes (the
 * records of a batch are contiguous), their offsets shifted to where the block lands. The batch-level way to pass
 * records through (a filter's runs of kept records, a pass-through stage). Nothing is emitted when it fails. */
NP_SDK_INLINE np_status np_emit_records(np_emitter_t *out, const np_batch_t *batch, uint64_t first, uint64_t n) {
    const uint64_t *offsets = batch->offsets;
    const uint64_t bytes = offsets[first + n] - offsets[first];
    if (NP_SDK_UNLIKELY(out->data_capacity - out->data_used < bytes || out->offsets_capacity - out->count - 1 < n)) {
        np_status status = np_emit_grow(out, bytes, n);
        if (status != NP_OK) return status;
    }
    if (bytes) memcpy(out->data + out->data_used, batch->data + offsets[first], (size_t)bytes);
    const uint64_t shift = out->data_used - offsets[first]; /* modulo 2^64: the sums below wrap back */
    uint64_t *dst = out->offsets + out->count;
    for (uint64_t k = 1; k <= n; k++) dst[k] = offsets[first + k] + shift;
    out->count += n;
    out->data_used += bytes;
    return NP_OK;
}

/* Check the invariants the host must establish before each call (rule H5): a readable struct, a reserve
 * function, offsets_capacity >= count + 1, offsets[count] == data_used, data_used <= data_capacity. */
NP_SDK_INLINE np_status np_emit_check(const np_emitter_t *out, const char **problem) {
    const char *why = NULL;
    if (!out)
        why = "emitter is NULL";
    else if (out->struct_size < sizeof(np_emitter_t))
        why = "emitter struct_size is smaller than np_emitter_t";
    else if (!out->reserve)
        why = "emitter reserve is NULL";
    else if (!out->offsets || out->offsets_capacity < out->count + 1)
        why = "emitter offsets_capacity < count + 1";
    else if (out->data_used > out->data_capacity)
        why = "emitter data_used > data_capacity";
    else if (out->data_capacity > 0 && !out->data)
        why = "emitter data is NULL but data_capacity > 0";
    else if (out->offsets[out->count] != out->data_used)
        why = "emitter offsets[count] != data_used";
    if (problem) *problem = why;
    return why ? NP_ERR_INVALID_ARGUMENT : NP_OK;
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_EMIT_H */
