/*
 * npw_info.c - LOAD's reply: what the validated library declares, serialized for the host (npw_protocol.h,
 * "Library info"). Everything written here was validated by np_c_host's loader before (rule P2, H3).
 */
#include <stdio.h>
#include <string.h>

#include "npw_worker.h"

typedef struct npw_writer {
    npw_worker_t *w;
    uint64_t used;
    int failed;
} npw_writer_t;

static void npw_put(npw_writer_t *wr, const void *bytes, uint64_t n) {
    if (wr->failed) return;
    if (npw_output_reserve_bytes(wr->w, wr->used + n) != 0) {
        wr->failed = 1;
        return;
    }
    if (n) memcpy(wr->w->emitter.em.data + wr->used, bytes, (size_t)n);
    wr->used += n;
}

static void npw_u32(npw_writer_t *wr, uint32_t v) { npw_put(wr, &v, sizeof v); }
static void npw_u64(npw_writer_t *wr, uint64_t v) { npw_put(wr, &v, sizeof v); }
static void npw_str(npw_writer_t *wr, np_str_t s) {
    npw_u32(wr, (uint32_t)s.len);
    npw_put(wr, s.ptr, s.len);
}

int npw_info_write(npw_worker_t *w, const nph_library_t *library) {
    npw_output_reset(w);
    npw_writer_t wr = {w, 0, 0};
    const np_library_t *d = nph_library_descriptor(library);
    npw_u32(&wr, nph_library_agreed_minor(library));
    npw_u32(&wr, nph_library_abi_major(library));
    npw_u32(&wr, nph_library_abi_minor(library));
    npw_u32(&wr, (uint32_t)nph_library_has_layout_report(library));
    npw_u64(&wr, nph_library_fingerprint(library));
    npw_u64(&wr, nph_library_flags(library));
    npw_str(&wr, d->sdk);
    uint32_t count = nph_library_plugin_count(library);
    npw_u32(&wr, count);
    for (uint32_t i = 0; i < count; i++) {
        const np_plugin_descriptor_t *p = nph_library_plugin(library, i);
        npw_str(&wr, p->id);
        npw_str(&wr, p->name);
        npw_str(&wr, p->version);
        npw_str(&wr, p->description);
        npw_str(&wr, p->vendor);
        npw_u32(&wr, p->threading);
        npw_u32(&wr, (uint32_t)p->interface_count);
        for (uint64_t k = 0; k < p->interface_count; k++) {
            npw_str(&wr, p->interfaces[k].id);
            /* Every vtable starts with its struct_size (a prefix struct); the loader checked it is readable. */
            const uint32_t *vt = (const uint32_t *)p->interfaces[k].vtable;
            npw_u32(&wr, vt ? *vt : 0);
        }
        /* What the loader resolved of np.transform/1: 1 when the plugin's stats function is there and usable at
         * the agreed minor (TransformInstance.SupportsStats). */
        char id[512];
        snprintf(id, sizeof id, "%.*s", (int)p->id.len, (const char *)p->id.ptr);
        nph_transform_t t;
        nph_diag_t diag;
        npw_u32(&wr, nph_host_find_transform(w->host, id, &t, &diag) == NPH_OK && t.stats ? 1u : 0u);
    }
    if (wr.failed) return -1;
    w->emitter.em.data_used = wr.used; /* bytes, not records: count stays 0 */
    return 0;
}
