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

/* A name of a layout report: its length, whether the pointer is NULL, and its bytes when they are few enough to
 * be a name (NPW_REPORT_MAX_NAME); the host rebuilds the report and judges it (NpLayoutReport.Read). */
static void npw_report_name(npw_writer_t *wr, np_str_t name) {
    npw_u64(wr, name.len);
    npw_u32(wr, name.ptr == NULL);
    if (name.ptr && name.len <= NPW_REPORT_MAX_NAME) npw_put(wr, name.ptr, name.len);
}

/* An interface's layout report as the library gave it, copied only as far as the host's reader of reports would
 * read it before refusing it: counts past NPW_REPORT_MAX_COUNT and NULL arrays are sent as such, not followed (the
 * host's NpLayoutReport.Read names what is wrong from them). Pointers that are neither NULL nor valid crash this
 * worker, which the host reports as the library's failure to load (WorkerCrashed). */
static void npw_report(npw_writer_t *wr, const np_layout_report_t *r) {
    npw_u32(wr, r != NULL);
    if (!r) return;
    npw_u32(wr, r->struct_size);
    npw_u64(wr, r->struct_count);
    npw_u32(wr, r->structs == NULL);
    if (r->struct_size < sizeof *r || r->struct_count > NPW_REPORT_MAX_COUNT || !r->structs) return;
    for (uint64_t i = 0; i < r->struct_count; i++) {
        const np_layout_struct_t *st = &r->structs[i];
        npw_report_name(wr, st->name);
        npw_u32(wr, st->size);
        npw_u32(wr, st->align);
        npw_u64(wr, st->field_count);
        npw_u32(wr, st->fields == NULL);
        if (st->field_count > NPW_REPORT_MAX_COUNT || !st->fields) continue;
        for (uint64_t j = 0; j < st->field_count; j++) {
            npw_report_name(wr, st->fields[j].name);
            npw_u32(wr, st->fields[j].offset);
            npw_u32(wr, st->fields[j].size);
        }
    }
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
            npw_u32(&wr, nph_plugin_interface_size(p, k));
            /* The interface fingerprint the library gave (ABI 1.2 interface_layouts; 0: none): the host compares it
             * with its contract's before it creates an instance of an interface of its own here. */
            uint64_t fingerprint = nph_plugin_interface_fingerprint(library, p, k);
            npw_u64(&wr, fingerprint);
            /* The report matters only beside a fingerprint (a host whose contract the fingerprint does not match
             * reads it to tell a newer library from a wrong one). */
            if (fingerprint) npw_report(&wr, nph_plugin_interface_report(library, p, k));
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
