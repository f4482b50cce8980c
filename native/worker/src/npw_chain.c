/*
 * npw_chain.c - PROCESS_CHAIN and FLUSH_CHAIN (npw_protocol.h): consecutive pipeline stages that live in this
 * worker run as one request. The input batch (for FLUSH_CHAIN what the stage before the chain emitted, often
 * none) is read where the host wrote it (the input memfd), each stage but
 * the last emits into one of two emitters of this process (stage k reads what stage k-1 wrote, so two buffers
 * alternate), and the last one emits straight into the output memfd. Per stage the C host's call and its
 * after-call protocol check (rule P10) are the same as for a single PROCESS or FLUSH, so a chain changes how
 * often records cross between the processes (once each way), not what a plugin sees.
 */
#define _GNU_SOURCE
#include <time.h>

#include "npw_worker.h"

static uint64_t npw_chain_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The two alternating emitters between stages, made at the first chain and kept (their buffers only grow). */
static int npw_chain_buffers(npw_worker_t *w) {
    if (w->between_ready) return 0;
    if (nph_emitter_init(&w->between[0], 64u * 1024u, 1024u) != 0) return -1;
    if (nph_emitter_init(&w->between[1], 64u * 1024u, 1024u) != 0) {
        nph_emitter_free(&w->between[0]);
        return -1;
    }
    w->between_ready = 1;
    return 0;
}

void npw_chain(npw_worker_t *w, int flush) {
    npw_control_t *c = w->control;
    uint32_t n = c->chain_count;
    nph_instance_t *stages[NPW_CHAIN_MAX];
    if (n == 0 || n > NPW_CHAIN_MAX) {
        npw_reply_bad(c, "chain_count is outside 1..NPW_CHAIN_MAX");
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        stages[i] = npw_instance(w, c->chain_instance[i]);
        if (!stages[i]) {
            npw_reply_bad(c, "no such instance in the chain");
            return;
        }
        c->chain_records_out[i] = c->chain_bytes_out[i] = c->chain_ns[i] = 0;
    }
    if (npw_chain_buffers(w) != 0) {
        npw_reply_bad(c, "out of memory for the buffers between chained stages");
        return;
    }
    np_batch_t in;
    const char *bad = npw_input_batch(w, &in);
    if (bad) {
        npw_reply_bad(c, bad);
        return;
    }
    nph_emitter_t *last = npw_output_target(w, &bad);
    if (!last) {
        npw_reply_bad(c, bad);
        return;
    }
    int timed = (c->chain_flags & NPW_CHAIN_TIME) != 0;
    nph_diag_t diag;
    for (uint32_t i = 0; i < n; i++) {
        nph_emitter_t *out = i + 1 == n ? last : &w->between[i & 1];
        if (out != last) nph_emitter_clear(out);
        uint64_t start = timed ? npw_chain_now_ns() : 0;
        /* Written before each call: after a crash the host reads which stage and call were running. */
        c->chain_at = i;
        nph_error_t e = NPH_OK;
        uint64_t kept = 0, kept_bytes = 0; /* what stays counted if the stage's last call fails */
        if (!flush || in.count > 0) {
            c->chain_op = NPW_OP_PROCESS;
            e = nph_instance_process(stages[i], &in, out, &diag);
        }
        if (e == NPH_OK && flush) {
            kept = out->em.count - (out == last ? c->output_base_count : 0);
            kept_bytes = out->em.data_used - (out == last ? c->output_base_used : 0);
            c->chain_op = NPW_OP_FLUSH;
            e = nph_instance_flush(stages[i], out, &diag);
        }
        if (timed) c->chain_ns[i] = npw_chain_now_ns() - start;
        if (e != NPH_OK) {
            c->chain_records_out[i] = kept;
            c->chain_bytes_out[i] = kept_bytes;
            npw_output_target_discard(w, last); /* a failed chain's output is discarded, as a failed call's is */
            npw_reply_diag(c, &diag);
            npw_output_target_publish(w, last);
            return;
        }
        /* The last stage may append to records its buffer held already: count only its own. */
        c->chain_records_out[i] = out->em.count - (out == last ? c->output_base_count : 0);
        c->chain_bytes_out[i] = out->em.data_used - (out == last ? c->output_base_used : 0);
        in = nph_emitter_batch(out);
    }
    npw_reply_ok(c);
    npw_output_target_publish(w, last);
}
