/* np_cs_leaf.c - the [leaf] functions of the C# plugin SDK; see np_cs_leaf.h for why they are native. */
#include "np_cs_leaf.h"

#include <stddef.h>

/* Write one counter when the caller's struct (its struct_size) is long enough to hold it. */
#define NP_CS_PUT(out, field, value)                                                                                   \
    do {                                                                                                               \
        if ((out)->struct_size >= offsetof(np_transform_stats_t, field) + sizeof((out)->field))                        \
            (out)->field = (value);                                                                                    \
    } while (0)

np_status NP_CDECL np_cs_leaf_stats(np_instance_t *instance, np_transform_stats_t *out_stats) {
    const np_cs_instance_t *self = (const np_cs_instance_t *)instance;
    if (self == NULL || out_stats == NULL) return NP_ERR_INVALID_ARGUMENT;
    if (__atomic_load_n(&self->magic, __ATOMIC_ACQUIRE) != NP_CS_INSTANCE_MAGIC) return NP_ERR_INVALID_ARGUMENT;
    if (__atomic_load_n(&self->state, __ATOMIC_ACQUIRE) != NP_CS_INSTANCE_LIVE) return NP_ERR_STATE;
    NP_CS_PUT(out_stats, records_in, __atomic_load_n(&self->records_in, __ATOMIC_RELAXED));
    NP_CS_PUT(out_stats, records_out, __atomic_load_n(&self->records_out, __ATOMIC_RELAXED));
    NP_CS_PUT(out_stats, bytes_in, __atomic_load_n(&self->bytes_in, __ATOMIC_RELAXED));
    NP_CS_PUT(out_stats, bytes_out, __atomic_load_n(&self->bytes_out, __ATOMIC_RELAXED));
    return NP_OK;
}

np_cs_stats_fn np_cs_leaf_stats_fn(void) { return &np_cs_leaf_stats; }
