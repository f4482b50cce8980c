/*
 * npw_regions.c - shared record buffers (npw_protocol.h, "Shared record buffers"): the regions the host handed
 * over on NPW_FD_REGIONS, mapped here until the host drops them, and the two ways a request uses them: an input
 * batch read where the host's buffer keeps it, and an output emitter whose storage is the host buffer's own
 * memfds, so the plugin appends to the caller's buffer with no copy on either side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "npw_worker.h"

#define NPW_PAGE 4096u
#define NPW_GUARD 16u /* the host's guard bytes after each capacity (OverrunGuard.Bytes): never handed to a plugin */

struct npw_regions {
    npw_region_t *items;
    uint64_t *ids;
    uint32_t count, cap;
};

static npw_region_t *npw_region_find(npw_worker_t *w, uint64_t id) {
    struct npw_regions *r = w->regions;
    if (!r || id == 0) return NULL;
    for (uint32_t i = 0; i < r->count; i++)
        if (r->ids[i] == id) return &r->items[i];
    return NULL;
}

static void npw_region_close(npw_region_t *region) {
    if (region->base) munmap(region->base, region->size);
    if (region->fd >= 0) close(region->fd);
    region->base = NULL;
    region->fd = -1;
    region->size = 0;
}

/* Maps the region to at least size bytes (never past the memfd's real end, which would fault). 0 on success. */
static int npw_region_map(npw_region_t *region, uint64_t size) {
    if (size <= region->size && region->base) return 0;
    struct stat st;
    if (fstat(region->fd, &st) != 0 || (uint64_t)st.st_size < size || size == 0) return -1;
    void *p = region->base ? mremap(region->base, region->size, size, MREMAP_MAYMOVE)
                           : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, region->fd, 0);
    if (p == MAP_FAILED) return -1;
    region->base = (uint8_t *)p;
    region->size = size;
    return 0;
}

static int npw_region_add(npw_worker_t *w, uint64_t id, int fd, uint64_t size) {
    struct npw_regions *r = w->regions;
    if (!r) {
        r = (struct npw_regions *)calloc(1, sizeof *r);
        if (!r) return -1;
        w->regions = r;
    }
    npw_region_t *old = npw_region_find(w, id);
    if (old)
        npw_region_close(old); /* handed over again (a new worker never sees this; a host bug would) */
    else {
        if (r->count == r->cap) {
            uint32_t cap = r->cap ? r->cap * 2 : 16;
            npw_region_t *items = (npw_region_t *)realloc(r->items, cap * sizeof *items);
            if (!items) return -1;
            r->items = items;
            uint64_t *ids = (uint64_t *)realloc(r->ids, cap * sizeof *ids);
            if (!ids) return -1;
            r->ids = ids;
            r->cap = cap;
        }
        old = &r->items[r->count];
        r->ids[r->count++] = id;
    }
    old->fd = fd;
    old->base = NULL;
    old->size = 0;
    return npw_region_map(old, size);
}

static void npw_region_drop(npw_worker_t *w, uint64_t id) {
    struct npw_regions *r = w->regions;
    npw_region_t *region = npw_region_find(w, id);
    if (!region) return;
    npw_region_close(region);
    uint32_t at = (uint32_t)(region - r->items);
    r->items[at] = r->items[r->count - 1];
    r->ids[at] = r->ids[r->count - 1];
    r->count--;
}

const char *npw_regions_receive(npw_worker_t *w) {
    npw_control_t *c = w->control;
    uint32_t n = c->region_messages;
    c->region_messages = 0;
    for (uint32_t i = 0; i < n; i++) {
        npw_region_message_t m;
        char space[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = &m, .iov_len = sizeof m};
        struct msghdr h;
        memset(&h, 0, sizeof h);
        h.msg_iov = &iov;
        h.msg_iovlen = 1;
        h.msg_control = space;
        h.msg_controllen = sizeof space;
        ssize_t got;
        do got = recvmsg(NPW_FD_REGIONS, &h, MSG_CMSG_CLOEXEC);
        while (got < 0 && errno == EINTR);
        if (got != (ssize_t)sizeof m) return "a region message is missing or short";
        int fd = -1;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&h); cm; cm = CMSG_NXTHDR(&h, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)))
                memcpy(&fd, CMSG_DATA(cm), sizeof fd);
        if (m.kind == NPW_REGION_ADD) {
            if (fd < 0 || m.id == 0) return "a region was handed over without its memfd";
            if (npw_region_add(w, m.id, fd, m.size) != 0) return "cannot map a region the host handed over";
        } else if (m.kind == NPW_REGION_DROP) {
            if (fd >= 0) close(fd);
            npw_region_drop(w, m.id);
        } else {
            if (fd >= 0) close(fd);
            return "unknown region message";
        }
    }
    return NULL;
}

/* The region id at size bytes at least, mapped; NULL when the host named one it never handed over. */
static npw_region_t *npw_region_at(npw_worker_t *w, uint64_t id, uint64_t size) {
    npw_region_t *region = npw_region_find(w, id);
    if (!region || npw_region_map(region, size) != 0) return NULL;
    return region;
}

const char *npw_region_input(npw_worker_t *w, np_batch_t *batch) {
    npw_control_t *c = w->control;
    npw_region_t *offsets = npw_region_at(w, c->input_offsets_region, c->input_offsets_region_size);
    npw_region_t *data = npw_region_at(w, c->input_data_region, c->input_data_region_size);
    if (!offsets || !data) return "the input names a region the host never handed over";
    uint64_t count = c->input_count;
    if (count >= offsets->size / sizeof(uint64_t) ||
        c->input_offsets_at > offsets->size - (count + 1) * sizeof(uint64_t) || c->input_data_at > data->size)
        return "the input batch lies outside its regions";
    batch->offsets = (const uint64_t *)(const void *)(offsets->base + c->input_offsets_at);
    batch->count = count;
    batch->data = data->base + c->input_data_at;
    if (batch->offsets[0] != 0 || batch->offsets[count] > data->size - c->input_data_at)
        return "the input records lie outside their region";
    return NULL;
}

static uint64_t npw_round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

/* Grows one region of the output buffer to hold capacity units of unit bytes plus the host's guard. */
static np_status npw_region_grow(npw_region_t *region, uint64_t bytes) {
    uint64_t size = npw_round_up(bytes + NPW_GUARD, NPW_PAGE);
    if (size <= region->size) return NP_OK;
    if (ftruncate(region->fd, (off_t)size) != 0) return NP_ERR_OUT_OF_MEMORY;
    return npw_region_map(region, size) == 0 ? NP_OK : NP_ERR_OUT_OF_MEMORY;
}

static np_status npw_region_storage(nph_emitter_t *e, uint64_t data_capacity, uint64_t offsets_capacity) {
    npw_worker_t *w = (npw_worker_t *)e->storage_context;
    npw_region_t *offsets = npw_region_find(w, w->out_offsets_region);
    npw_region_t *data = npw_region_find(w, w->out_data_region);
    if (!offsets || !data || offsets_capacity - 1 > w->out_max_records) return NP_ERR_OUT_OF_MEMORY;
    if (offsets_capacity > (UINT64_MAX - 2 * NPW_PAGE) / sizeof(uint64_t)) return NP_ERR_OUT_OF_MEMORY;
    if (npw_region_grow(offsets, offsets_capacity * sizeof(uint64_t)) != NP_OK ||
        npw_region_grow(data, data_capacity) != NP_OK)
        return NP_ERR_OUT_OF_MEMORY;
    e->em.offsets = (uint64_t *)(void *)offsets->base;
    e->em.offsets_capacity = (offsets->size - NPW_GUARD) / sizeof(uint64_t);
    e->em.data = data->base;
    e->em.data_capacity = data->size - NPW_GUARD;
    return NP_OK;
}

nph_emitter_t *npw_output_target(npw_worker_t *w, const char **bad) {
    npw_control_t *c = w->control;
    *bad = NULL;
    w->out_offsets_region = c->output_offsets_region;
    w->out_data_region = c->output_data_region;
    if (c->output_offsets_region == 0 && c->output_data_region == 0) {
        npw_output_reset(w);
        return &w->emitter;
    }
    npw_region_t *offsets = npw_region_at(w, c->output_offsets_region, c->output_offsets_region_size);
    npw_region_t *data = npw_region_at(w, c->output_data_region, c->output_data_region_size);
    if (!offsets || !data || offsets->size < NPW_GUARD + sizeof(uint64_t) || data->size < NPW_GUARD) {
        *bad = "the output names a region the host never handed over";
        return NULL;
    }
    nph_emitter_t *e = &w->region_emitter;
    nph_emitter_init_with_storage(e, npw_region_storage, w);
    e->em.offsets = (uint64_t *)(void *)offsets->base;
    e->em.offsets_capacity = (offsets->size - NPW_GUARD) / sizeof(uint64_t);
    e->em.data = data->base;
    e->em.data_capacity = data->size - NPW_GUARD;
    e->max_bytes = c->output_max_bytes;
    w->out_max_records = c->output_max_records;
    uint64_t count = c->output_base_count, used = c->output_base_used;
    if (count >= e->em.offsets_capacity || used > e->em.data_capacity || e->em.offsets[count] != used) {
        *bad = "the output buffer's records do not match their regions";
        return NULL;
    }
    e->em.count = count;
    e->em.data_used = used;
    return e;
}

void npw_output_target_publish(npw_worker_t *w, nph_emitter_t *e) {
    npw_control_t *c = w->control;
    if (e == &w->emitter) {
        npw_output_publish(w);
        return;
    }
    npw_region_t *offsets = npw_region_find(w, w->out_offsets_region);
    npw_region_t *data = npw_region_find(w, w->out_data_region);
    c->output_offsets_region_size = offsets ? offsets->size : 0;
    c->output_data_region_size = data ? data->size : 0;
    c->output_count = e->em.count;
    c->output_data_used = e->em.data_used;
    c->output_offsets_at = 0;
    c->output_data_at = 0;
}

void npw_output_target_discard(npw_worker_t *w, nph_emitter_t *e) {
    if (e == &w->emitter) {
        npw_output_reset(w);
        return;
    }
    /* The host keeps its own count for a failed call: what the plugin wrote past it is never read. */
    e->em.count = w->control->output_base_count;
    e->em.data_used = w->control->output_base_used;
}

void npw_regions_free(npw_worker_t *w) {
    struct npw_regions *r = w->regions;
    if (!r) return;
    for (uint32_t i = 0; i < r->count; i++) npw_region_close(&r->items[i]);
    free(r->items);
    free(r->ids);
    free(r);
    w->regions = NULL;
}
