/*
 * np_batch.h - reading the records of an input batch (np_batch_t, ext/np_transform.h).
 *
 *     for (uint64_t i = 0; i < batch->count; i++) {
 *         np_bytes_t record = np_batch_record(batch, i);
 *         ...
 *     }
 *
 * The np.transform/1 adapter of the SDK (np_transform_base.h) checks the batch's offsets before your process
 * callback runs (offsets[0] == 0, never decreasing), so np_batch_record needs no checks of its own.
 */
#ifndef NPLUG_SDK_BATCH_H
#define NPLUG_SDK_BATCH_H

#include "np_sdk_common.h"

NP_SDK_BEGIN_DECLS

/* Record i of the batch, borrowed for the duration of the call. */
NP_SDK_INLINE np_bytes_t np_batch_record(const np_batch_t *batch, uint64_t i) {
    np_bytes_t record;
    uint64_t begin = batch->offsets[i];
    record.len = batch->offsets[i + 1] - begin;
    record.ptr = batch->data ? batch->data + begin : NULL;
    return record;
}

/* Total bytes of all records in the batch. */
NP_SDK_INLINE uint64_t np_batch_bytes(const np_batch_t *batch) {
    return batch->count ? batch->offsets[batch->count] - batch->offsets[0] : 0;
}

/* Check the batch's shape (rule P6): non-NULL offsets when count > 0, offsets[0] == 0, offsets never
 * decreasing, data non-NULL when there are bytes. Returns NP_OK or NP_ERR_INVALID_ARGUMENT and, through
 * *bad_index, the first offending offset index (count + 1 for a NULL pointer). */
NP_SDK_INLINE np_status np_batch_check(const np_batch_t *batch, uint64_t *bad_index) {
    if (!batch) return NP_ERR_INVALID_ARGUMENT;
    if (batch->count == 0) return NP_OK; /* offsets may be NULL or hold offsets[0] only */
    if (!batch->offsets) {
        if (bad_index) *bad_index = batch->count + 1;
        return NP_ERR_INVALID_ARGUMENT;
    }
    const uint64_t *o = batch->offsets;
    if (o[0] != 0) {
        if (bad_index) *bad_index = 0;
        return NP_ERR_INVALID_ARGUMENT;
    }
    for (uint64_t i = 1; i <= batch->count; i++) {
        if (o[i] < o[i - 1]) {
            if (bad_index) *bad_index = i;
            return NP_ERR_INVALID_ARGUMENT;
        }
    }
    if (o[batch->count] > 0 && !batch->data) {
        if (bad_index) *bad_index = batch->count + 1;
        return NP_ERR_INVALID_ARGUMENT;
    }
    return NP_OK;
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_BATCH_H */
