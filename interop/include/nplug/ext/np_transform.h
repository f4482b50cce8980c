/*
 * ext/np_transform.h - the interface "np.transform/1": a stream of records in, a stream of records out.
 *
 * Lifecycle of an instance:   create -> (process)* -> flush -> (process)* -> flush ... -> destroy
 * flush ends the current stream: the instance emits what it holds back (a summary, a pending line) and
 * returns to its just-created state, so it can take another stream. destroy may come at any point.
 *
 * Records travel in batches so that a call crosses the boundary once per batch, not once per record.
 * Output is written into host-provided native buffers (np_emitter_t), zlib avail_out style: emitting a
 * record is a bounds check and a memcpy; the host is called only when its buffers must grow.
 */
#ifndef NP_EXT_TRANSFORM_H
#define NP_EXT_TRANSFORM_H

#include "../np_host.h"
#include "../np_types.h"

/* The interface id of this interface: find its vtable in np_plugin_descriptor_t.interfaces by this id. */
#define NP_TRANSFORM_ID "np.transform/1"

/* An opaque instance, owned by the plugin from create until destroy. */
typedef struct np_instance np_instance_t;

/* ---- A batch of input records (borrowed, read-only) ---------------------------------------------
 * Arrow-style layout: all record bytes concatenated in data, and count + 1 offsets.
 * Record i is data[offsets[i] .. offsets[i+1]); offsets[0] == 0; offsets never decrease.
 * Records are opaque bytes; plugins that expect text must validate UTF-8 themselves.
 * The batch and everything it points to are owned by the host and valid only for the call. */
typedef struct np_batch {
    const uint8_t *data;
    const uint64_t *offsets;  /* count + 1 entries */
    uint64_t count;
} np_batch_t;

/* ---- The emitter: host-provided output buffers ---------------------------------------------------
 * Same layout as np_batch_t for what was written, so one stage's output is the next stage's input.
 * The host owns every buffer; the plugin appends:
 *   to emit n bytes as one record:
 *     if (data_capacity - data_used < n || offsets_capacity - count < 2) status = reserve(self, n, 1);
 *     memcpy(data + data_used, bytes, n); data_used += n; offsets[++count] = data_used;
 * Invariants the host establishes before each call: offsets_capacity >= count + 1 and offsets[count] ==
 * data_used (offsets[0] == 0 for a fresh emitter). The plugin only appends: it never rewrites bytes or offsets
 * below data_used/count. reserve may move data and offsets (re-read them after it). A failed reserve returns a
 * failing status (NP_ERR_OUT_OF_MEMORY): the plugin stops and returns that status. [same thread as the call
 * that received the emitter] */
typedef struct np_emitter np_emitter_t;

struct np_emitter {
    uint32_t struct_size;
    uint32_t reserved;         /* must be 0 */
    uint8_t *data;             /* record bytes */
    uint64_t data_capacity;    /* bytes available at data */
    uint64_t data_used;        /* bytes written */
    uint64_t *offsets;         /* record offsets; offsets[i+1] is the end of record i */
    uint64_t offsets_capacity; /* entries available at offsets */
    uint64_t count;            /* records written */
    /* Make room for at least extra_bytes more bytes and extra_records more records. Never NULL. */
    np_status (NP_CDECL *reserve)(np_emitter_t *self, uint64_t extra_bytes, uint64_t extra_records);
    void *host_data;           /* opaque to the plugin */
};

/* ---- Counters (leaf call) ----------------------------------------------------------------------- */
typedef struct np_transform_stats {
    uint32_t struct_size;      /* in: sizeof as the caller knows it; the plugin fills only what fits */
    uint32_t reserved;
    uint64_t records_in;       /* records received by process since create */
    uint64_t records_out;      /* records emitted since create */
    uint64_t bytes_in;
    uint64_t bytes_out;
} np_transform_stats_t;

/* ---- The vtable ---------------------------------------------------------------------------------
 * Thread tags: [instance] = on any thread, but never concurrently on one instance unless the plugin is
 * NP_THREADING_THREAD_SAFE. [leaf] = a leaf function: it never blocks, never calls the host, never allocates
 * and runs in bounded time, so a host may bind it without a GC transition (.NET SuppressGCTransition). */
typedef struct np_transform_v1 {
    uint32_t struct_size;
    uint32_t reserved;         /* must be 0 */

    /* [thread-safe] Create an instance configured by config (UTF-8, borrowed for the call; the format is the
     * plugin's own, e.g. "pattern=foo"; empty means defaults, or NP_ERR_CONFIG naming the required key when
     * the plugin has one). host is the table for this instance, valid until destroy returns. On success
     * *out_instance is non-NULL; on failure it is set to NULL. A malformed config returns NP_ERR_CONFIG with a
     * message naming the problem. Never NULL. */
    np_status (NP_CDECL *create)(const np_host_t *host, np_str_t config, np_instance_t **out_instance,
                                 np_error_t *error);

    /* [instance] Destroy the instance and free everything it owns. Valid in every state, also after a
     * failure or a panic. instance NULL is a no-op. Never NULL. */
    void (NP_CDECL *destroy)(np_instance_t *instance);

    /* [instance] Process a batch, appending output records to out. A failing status other than NP_ERR_PANIC
     * leaves the instance usable; what was emitted before the failure stays emitted. Never NULL. */
    np_status (NP_CDECL *process)(np_instance_t *instance, const np_batch_t *batch, np_emitter_t *out,
                                  np_error_t *error);

    /* [instance] End of stream: emit what is held back, then reset to the just-created state. A second flush
     * in a row emits nothing and returns NP_OK. Never NULL. */
    np_status (NP_CDECL *flush)(np_instance_t *instance, np_emitter_t *out, np_error_t *error);

    /** [instance][leaf] Fill the counters. Optional: NULL when not provided. @since 1.1 */
    np_status (NP_CDECL *stats)(np_instance_t *instance, np_transform_stats_t *out_stats);
} np_transform_v1_t;

#endif /* NP_EXT_TRANSFORM_H */
