/*
 * npw_channel.c - the worker's side of the shared memory: the control block, the input memfd the host fills and
 * the output memfd the plugin emits into. The output emitter is an nph_emitter_t whose storage is the output
 * memfd, so the C host's reserve policy and after-call check (rule P10) apply unchanged.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "npw_worker.h"

#define NPW_PAGE 4096u
#define NPW_INITIAL_RECORDS 1024u
#define NPW_INITIAL_BYTES (64u * 1024u)

static uint64_t npw_round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

/* offsets first, then data (64-byte aligned): the offsets of `records` capacity end here. */
static uint64_t npw_data_at(uint64_t offsets_capacity) { return npw_round_up(offsets_capacity * sizeof(uint64_t), 64); }

static np_status npw_output_storage(nph_emitter_t *e, uint64_t data_capacity, uint64_t offsets_capacity) {
    npw_worker_t *w = (npw_worker_t *)e->storage_context;
    np_emitter_t *em = &e->em;
    uint64_t old_data_at = (uint64_t)(em->data - w->output.base);
    uint64_t data_at = npw_data_at(offsets_capacity);
    uint64_t size = npw_round_up(data_at + data_capacity, NPW_PAGE);
    if (size > w->output.size) {
        if (ftruncate(w->output.fd, (off_t)size) != 0) return NP_ERR_OUT_OF_MEMORY;
        void *p = mremap(w->output.base, w->output.size, size, MREMAP_MAYMOVE);
        if (p == MAP_FAILED) {
            (void)ftruncate(w->output.fd, (off_t)w->output.size);
            return NP_ERR_OUT_OF_MEMORY;
        }
        w->output.base = (uint8_t *)p;
        w->output.size = size;
    }
    /* Offsets grew: the data moves up behind them (the only copy growth costs, as realloc's would). */
    if (data_at != old_data_at) memmove(w->output.base + data_at, w->output.base + old_data_at, em->data_used);
    em->offsets = (uint64_t *)(void *)w->output.base;
    em->offsets_capacity = offsets_capacity;
    em->data = w->output.base + data_at;
    em->data_capacity = w->output.size - data_at;
    return NP_OK;
}

static int npw_map(npw_region_t *r, int fd, uint64_t size) {
    r->fd = fd;
    r->size = size;
    r->base = NULL;
    if (size == 0) return 0;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return -1;
    r->base = (uint8_t *)p;
    return 0;
}

int npw_channel_open(npw_worker_t *w) {
    void *c = mmap(NULL, NPW_CONTROL_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, NPW_FD_CONTROL, 0);
    if (c == MAP_FAILED) return NPW_EXIT_CHANNEL;
    w->control = (npw_control_t *)c;
    if (w->control->magic != NPW_MAGIC || w->control->version != NPW_PROTOCOL_VERSION) return NPW_EXIT_VERSION;
    if (npw_map(&w->input, NPW_FD_INPUT, w->control->input_size) != 0) return NPW_EXIT_CHANNEL;
    /* The output memfd starts empty: give it room for the usual batch so most calls never grow it. */
    uint64_t data_at = npw_data_at(NPW_INITIAL_RECORDS + 1);
    uint64_t size = npw_round_up(data_at + NPW_INITIAL_BYTES, NPW_PAGE);
    if (ftruncate(NPW_FD_OUTPUT, (off_t)size) != 0 || npw_map(&w->output, NPW_FD_OUTPUT, size) != 0)
        return NPW_EXIT_CHANNEL;
    nph_emitter_init_with_storage(&w->emitter, npw_output_storage, w);
    w->emitter.em.offsets = (uint64_t *)(void *)w->output.base;
    w->emitter.em.offsets_capacity = NPW_INITIAL_RECORDS + 1;
    w->emitter.em.data = w->output.base + data_at;
    w->emitter.em.data_capacity = size - data_at;
    npw_output_reset(w);
    return NPW_EXIT_OK;
}

int npw_channel_sync_input(npw_worker_t *w) {
    uint64_t size = w->control->input_size;
    if (size == w->input.size) return 0;
    if (w->input.base) munmap(w->input.base, w->input.size);
    return npw_map(&w->input, NPW_FD_INPUT, size);
}

void npw_output_reset(npw_worker_t *w) {
    w->emitter.em.count = 0;
    w->emitter.em.data_used = 0;
    w->emitter.em.offsets[0] = 0;
}

int npw_output_reserve_bytes(npw_worker_t *w, uint64_t bytes) {
    np_emitter_t *em = &w->emitter.em;
    if (bytes <= em->data_capacity) return 0;
    return npw_output_storage(&w->emitter, bytes, em->offsets_capacity) == NP_OK ? 0 : -1;
}

void npw_output_publish(npw_worker_t *w) {
    npw_control_t *c = w->control;
    const np_emitter_t *em = &w->emitter.em;
    c->output_size = w->output.size;
    c->output_count = em->count;
    c->output_data_used = em->data_used;
    c->output_offsets_at = (uint64_t)((const uint8_t *)em->offsets - w->output.base);
    c->output_data_at = (uint64_t)(em->data - w->output.base);
}
