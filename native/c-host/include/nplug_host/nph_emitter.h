/*
 * nph_emitter.h - the host's native emitter: growable buffers behind np_emitter_t (rule H5).
 *
 * Hand &e->em to a plugin's process/flush. Its reserve grows data and offsets geometrically with realloc, so
 * a plugin reaches the host only when a buffer must grow; every invariant (offsets[0] == 0, offsets_capacity >=
 * count + 1, offsets[count] == data_used) holds between calls. The bytes written are readable as an
 * np_batch_t (same layout), which is how one pipeline stage feeds the next without a copy.
 */
#ifndef NPLUG_HOST_EMITTER_H
#define NPLUG_HOST_EMITTER_H

#include <nplug/nplug.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of guard after the end of every buffer the host hands to a plugin: the emitter's data and offsets, an
 * instance's error buffer (nph_guard.c). */
#define NPH_GUARD_BYTES 16u

typedef struct nph_emitter nph_emitter_t;

/* Where an emitter's buffers live when they are not the C heap (the isolation worker keeps them in shared memory).
 * Called by reserve with the capacities it decided on (each >= the current one); moves em.data / em.offsets to
 * buffers at least that big, keeping their contents, and sets em.data_capacity / em.offsets_capacity. Returns
 * NP_OK or NP_ERR_OUT_OF_MEMORY (then nothing changed). Such buffers carry no guard bytes: the storage owns them
 * (the worker's shared memory dies with the worker). */
typedef np_status (*nph_emitter_storage_fn)(nph_emitter_t *e, uint64_t data_capacity, uint64_t offsets_capacity);

struct nph_emitter {
    np_emitter_t em;                /* what plugins see; em.host_data points back at this struct */
    uint64_t max_bytes;             /* reserve fails (NP_ERR_OUT_OF_MEMORY) beyond this many data bytes; 0 = no limit */
    uint64_t reserve_calls;         /* how often a plugin called reserve (diagnostics) */
    nph_emitter_storage_fn storage; /* NULL: realloc on the C heap (nph_emitter_init) */
    void *storage_context;          /* for storage, untouched by the emitter */
    /* Heap buffers only (storage NULL): the host's own record of what it allocated (a plugin may change em's fields
     * only through reserve), where the guard bytes are whatever a misbehaving plugin wrote into em. */
    uint8_t *owned_data;
    uint64_t *owned_offsets;
    uint64_t owned_data_capacity, owned_offsets_capacity;
};

/* Start with room for initial_bytes and initial_records (0 is fine). Returns 0 on success, -1 out of memory. */
int nph_emitter_init(nph_emitter_t *e, uint64_t initial_bytes, uint64_t initial_records);
void nph_emitter_free(nph_emitter_t *e);
/* An emitter whose buffers the caller provides and grows through storage (e->em.data/offsets set by the caller,
 * offsets_capacity >= 1, offsets[0] == 0); nph_emitter_free must not be called on it. */
void nph_emitter_init_with_storage(nph_emitter_t *e, nph_emitter_storage_fn storage, void *context);
/* Forget the records, keep the buffers. */
void nph_emitter_clear(nph_emitter_t *e);
/* Append one record from the host side (e.g. to build an input batch). */
np_status nph_emitter_append(nph_emitter_t *e, const void *bytes, uint64_t n);
/* The records as a batch (valid until the next change of the emitter). */
np_batch_t nph_emitter_batch(const nph_emitter_t *e);
/* Check the guard bytes after data and offsets (a plugin wrote past a capacity: the emitter must not be grown or
 * read any more, only freed), the invariants of H5, and that the records written since (count_before, used_before)
 * are well-formed (offsets never decrease). Returns NULL if all is well, else a description of the first
 * violation. */
const char *nph_emitter_check(const nph_emitter_t *e, uint64_t count_before, uint64_t used_before);

#ifdef __cplusplus
}
#endif

#endif /* NPLUG_HOST_EMITTER_H */
