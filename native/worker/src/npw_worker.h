/*
 * npw_worker.h - the worker's private parts, shared by its source files.
 */
#ifndef NPW_WORKER_H
#define NPW_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include <nplug_host/nph.h>

#include "npw_protocol.h"

/* One mapped memfd. */
typedef struct npw_region {
    int fd;
    uint8_t *base;
    uint64_t size;
} npw_region_t;

typedef struct npw_worker {
    npw_control_t *control;
    npw_region_t input;    /* grown by the host; remapped here when control->input_size changed */
    npw_region_t output;   /* grown here, as the plugin reserves */
    nph_emitter_t emitter; /* em.offsets / em.data point into output */
    nph_host_t *host;
    nph_library_t *library;
    nph_instance_t **instances; /* id - 1 -> instance; NULL once destroyed */
    uint32_t instance_count, instance_cap;
    struct npw_calls *calls; /* instances of a host's own interfaces (npw_call.c); NULL until the first */
    /* npw_wake.c: the request last seen, the average wait for a request, the spin limit (--spin-ns) */
    uint32_t seen_request;
    uint64_t wait_average_ns;
    uint64_t spin_max_ns;
    /* npw_regions.c: the shared record buffers the host handed over, and the output emitter over one of them */
    struct npw_regions *regions;
    nph_emitter_t region_emitter;
    uint64_t out_offsets_region, out_data_region, out_max_records;
    /* npw_chain.c: the buffers between chained stages (C heap, kept between requests) */
    nph_emitter_t between[2];
    int between_ready;
} npw_worker_t;

/* ---- npw_main.c: replies and instances, shared with the request handlers of other files ---- */
void npw_reply_ok(npw_control_t *c);
void npw_reply_diag(npw_control_t *c, const nph_diag_t *diag);
void npw_reply_bad(npw_control_t *c, const char *what);
/* The live instance of id, or NULL. */
nph_instance_t *npw_instance(npw_worker_t *w, uint32_t id);
/* The input batch of PROCESS / PROCESS_CHAIN, checked to lie inside the input memfd (remapped first if the host
 * grew it). NULL on success, else what is wrong (for npw_reply_bad). */
const char *npw_input_batch(npw_worker_t *w, np_batch_t *batch);

/* ---- npw_chain.c: PROCESS_CHAIN (flush 0) and FLUSH_CHAIN (flush 1) ---- */
void npw_chain(npw_worker_t *w, int flush);

/* ---- npw_state.c: SAVE_STATE and RESTORE_STATE (np.state/1) ---- */
void npw_save_state(npw_worker_t *w);
void npw_restore_state(npw_worker_t *w);

/* ---- npw_wake.c: the wake-ups ---- */
/* Waits (spin, then block) for the next request. 0 on success, -1 when the request channel failed. */
int npw_wait_request(npw_worker_t *w);
/* Publishes the reply written into the control block and wakes the host if it blocks. */
void npw_publish_reply(npw_worker_t *w);
/* The rule both sides apply (npw_protocol.h, "Wake-ups"): how long to spin before blocking, from the average
 * wait, the spin limit and both sides' CPUs (number + 1, 0 unknown); and the average after a wait that took. */
uint64_t npw_spin_budget(uint64_t expect_ns, uint64_t max_ns, uint32_t my_cpu, uint32_t other_cpu);
uint64_t npw_spin_average(uint64_t average_ns, uint64_t took_ns);

/* ---- npw_channel.c: the memfds ---- */
/* Map the control block and check its magic and version; map input and output. Returns an NPW_EXIT_* code. */
int npw_channel_open(npw_worker_t *w);
/* Remap the input memfd if the host grew it. 0 on success. */
int npw_channel_sync_input(npw_worker_t *w);
/* Reset the output emitter to no records (its buffers stay). */
void npw_output_reset(npw_worker_t *w);
/* Make sure the output data area holds at least bytes (for LOAD's info). 0 on success. */
int npw_output_reserve_bytes(npw_worker_t *w, uint64_t bytes);
/* Write where the output lies into the reply fields. */
void npw_output_publish(npw_worker_t *w);

/* ---- npw_regions.c: shared record buffers (npw_protocol.h, "Shared record buffers") ---- */
/* Reads the region_messages the host queued for this request (maps ADDs, unmaps DROPs). NULL or what is wrong. */
const char *npw_regions_receive(npw_worker_t *w);
/* The input batch where the host's buffer keeps it (input_*_region != 0). NULL or what is wrong. */
const char *npw_region_input(npw_worker_t *w, np_batch_t *batch);
/* The emitter a call's output goes into: the output memfd's (reset to no records) when output_*_region are 0,
 * else one over the host buffer's regions, after the records it holds. NULL with *bad set when the request is bad. */
nph_emitter_t *npw_output_target(npw_worker_t *w, const char **bad);
/* The reply's output fields for a call that emitted into e (npw_output_publish for the output memfd). */
void npw_output_target_publish(npw_worker_t *w, nph_emitter_t *e);
/* A failed call's output is discarded: e back to what it held before the call. */
void npw_output_target_discard(npw_worker_t *w, nph_emitter_t *e);
/* Unmaps and closes every region (at exit). */
void npw_regions_free(npw_worker_t *w);

/* ---- npw_info.c: LOAD's reply ---- */
/* Serialize what the library declares (npw_protocol.h, "Library info") into the output area. 0 on success. */
int npw_info_write(npw_worker_t *w, const nph_library_t *library);

/* ---- npw_restrict.c: restricted mode ---- */
/* no_new_privs + a seccomp filter refusing network sockets and execve/execveat (EPERM). 0 on success. */
int npw_restrict(void);

#endif /* NPW_WORKER_H */
