/*
 * nph_emitter.c - the host's growable emitter (rule H5) and the after-call protocol check (rule P10).
 */
#include <stdlib.h>
#include <string.h>

#include <nplug_host/nph_emitter.h>

#include "nph_internal.h"

#define NPH_EMITTER_MIN_BYTES 4096u
#define NPH_EMITTER_MIN_RECORDS 256u

static uint64_t nph_grow_to(uint64_t current, uint64_t needed, uint64_t minimum) {
    uint64_t cap = current > minimum ? current : minimum;
    while (cap < needed) cap = cap > UINT64_MAX / 2 ? needed : cap * 2;
    return cap;
}

static np_status NP_CDECL nph_emitter_reserve(np_emitter_t *em, uint64_t extra_bytes, uint64_t extra_records) {
    if (!em) return NP_ERR_INVALID_ARGUMENT;
    nph_emitter_t *e = (nph_emitter_t *)em->host_data;
    e->reserve_calls++;
    if (extra_bytes > UINT64_MAX / 4 - em->data_used || extra_records > UINT64_MAX / 32 - em->count)
        return NP_ERR_OUT_OF_MEMORY;
    uint64_t need_bytes = em->data_used + extra_bytes;
    uint64_t need_offsets = em->count + 1 + extra_records;
    if (e->storage) {
        if (need_bytes <= em->data_capacity && need_offsets <= em->offsets_capacity) return NP_OK;
        if (e->max_bytes && need_bytes > e->max_bytes) return NP_ERR_OUT_OF_MEMORY;
        uint64_t data_cap = need_bytes > em->data_capacity
                                ? nph_grow_to(em->data_capacity, need_bytes, NPH_EMITTER_MIN_BYTES)
                                : em->data_capacity;
        if (e->max_bytes && data_cap > e->max_bytes) data_cap = e->max_bytes;
        uint64_t offsets_cap = need_offsets > em->offsets_capacity
                                   ? nph_grow_to(em->offsets_capacity, need_offsets, NPH_EMITTER_MIN_RECORDS)
                                   : em->offsets_capacity;
        return e->storage(e, data_cap, offsets_cap);
    }
    if (need_bytes > em->data_capacity) {
        if (e->max_bytes && need_bytes > e->max_bytes) return NP_ERR_OUT_OF_MEMORY;
        uint64_t cap = nph_grow_to(em->data_capacity, need_bytes, NPH_EMITTER_MIN_BYTES);
        if (e->max_bytes && cap > e->max_bytes) cap = e->max_bytes;
        uint8_t *data = (uint8_t *)realloc(em->data, (size_t)cap + NPH_GUARD_BYTES);
        if (!data) return NP_ERR_OUT_OF_MEMORY;
        em->data = data;
        em->data_capacity = cap;
        e->owned_data = data;
        e->owned_data_capacity = cap;
        nph_guard_write(data + cap);
    }
    if (need_offsets > em->offsets_capacity) {
        uint64_t cap = nph_grow_to(em->offsets_capacity, need_offsets, NPH_EMITTER_MIN_RECORDS);
        uint64_t *offsets = (uint64_t *)realloc(em->offsets, (size_t)(cap * sizeof *offsets) + NPH_GUARD_BYTES);
        if (!offsets) return NP_ERR_OUT_OF_MEMORY;
        em->offsets = offsets;
        em->offsets_capacity = cap;
        e->owned_offsets = offsets;
        e->owned_offsets_capacity = cap;
        nph_guard_write(offsets + cap);
    }
    return NP_OK;
}

int nph_emitter_init(nph_emitter_t *e, uint64_t initial_bytes, uint64_t initial_records) {
    memset(e, 0, sizeof *e);
    e->em.struct_size = (uint32_t)sizeof(np_emitter_t);
    e->em.reserve = nph_emitter_reserve;
    e->em.host_data = e;
    e->em.offsets = (uint64_t *)malloc((size_t)((initial_records + 1) * sizeof(uint64_t)) + NPH_GUARD_BYTES);
    if (!e->em.offsets) return -1;
    e->em.offsets_capacity = initial_records + 1;
    e->em.offsets[0] = 0;
    e->owned_offsets = e->em.offsets;
    e->owned_offsets_capacity = e->em.offsets_capacity;
    nph_guard_write(e->em.offsets + e->em.offsets_capacity);
    if (initial_bytes) {
        e->em.data = (uint8_t *)malloc((size_t)initial_bytes + NPH_GUARD_BYTES);
        if (!e->em.data) {
            nph_emitter_free(e);
            return -1;
        }
        e->em.data_capacity = initial_bytes;
        e->owned_data = e->em.data;
        e->owned_data_capacity = initial_bytes;
        nph_guard_write(e->em.data + initial_bytes);
    }
    return 0;
}

void nph_emitter_init_with_storage(nph_emitter_t *e, nph_emitter_storage_fn storage, void *context) {
    e->em.struct_size = (uint32_t)sizeof(np_emitter_t);
    e->em.reserve = nph_emitter_reserve;
    e->em.host_data = e;
    e->max_bytes = 0;
    e->reserve_calls = 0;
    e->storage = storage;
    e->storage_context = context;
    e->owned_data = NULL;
    e->owned_offsets = NULL;
    e->owned_data_capacity = e->owned_offsets_capacity = 0;
}

void nph_emitter_free(nph_emitter_t *e) {
    free(e->em.data);
    free(e->em.offsets);
    memset(e, 0, sizeof *e);
}

void nph_emitter_clear(nph_emitter_t *e) {
    e->em.count = 0;
    e->em.data_used = 0;
    e->em.offsets[0] = 0;
}

np_status nph_emitter_append(nph_emitter_t *e, const void *bytes, uint64_t n) {
    np_emitter_t *em = &e->em;
    if (em->data_capacity - em->data_used < n || em->offsets_capacity - em->count < 2) {
        np_status status = nph_emitter_reserve(em, n, 1);
        if (status != NP_OK) return status;
    }
    if (n) memcpy(em->data + em->data_used, bytes, (size_t)n);
    em->data_used += n;
    em->offsets[++em->count] = em->data_used;
    return NP_OK;
}

np_batch_t nph_emitter_batch(const nph_emitter_t *e) {
    np_batch_t batch;
    batch.data = e->em.data;
    batch.offsets = e->em.offsets;
    batch.count = e->em.count;
    return batch;
}

const char *nph_emitter_check(const nph_emitter_t *e, uint64_t count_before, uint64_t used_before) {
    const np_emitter_t *em = &e->em;
    if (em->host_data != e || em->reserve != nph_emitter_reserve)
        return "the emitter's reserve or host_data was overwritten";
    /* The buffers and capacities are the host's own (a plugin changes them only through reserve): checked first,
     * since every other field may be part of what an overrun destroyed. */
    if (!e->storage) {
        if (e->owned_data && !nph_guard_intact(e->owned_data + e->owned_data_capacity))
            return "wrote past the end of the output data (data_capacity)";
        if (e->owned_offsets && !nph_guard_intact(e->owned_offsets + e->owned_offsets_capacity))
            return "wrote past the end of the output offsets (offsets_capacity)";
        if (em->data != e->owned_data || em->data_capacity != e->owned_data_capacity ||
            em->offsets != e->owned_offsets || em->offsets_capacity != e->owned_offsets_capacity)
            return "the emitter's buffers or capacities were changed other than through reserve";
    }
    if (em->count < count_before || em->data_used < used_before)
        return "records or bytes below count/data_used were taken back";
    if (em->data_used > em->data_capacity) return "data_used is beyond data_capacity";
    if (em->count + 1 > em->offsets_capacity) return "count + 1 is beyond offsets_capacity";
    if (em->offsets[0] != 0) return "offsets[0] is not 0";
    if (em->offsets[count_before] != used_before) return "an offset below count was rewritten";
    for (uint64_t i = count_before + 1; i <= em->count; i++)
        if (em->offsets[i] < em->offsets[i - 1]) return "offsets of the new records decrease";
    if (em->offsets[em->count] != em->data_used) return "offsets[count] != data_used";
    return NULL;
}
