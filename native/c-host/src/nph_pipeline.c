/*
 * nph_pipeline.c - np.transform/1 stages in a chain; stage i writes into its own emitter, which is stage i+1's
 * input batch as is (same layout, no copy).
 */
#include <stdlib.h>
#include <string.h>

#include "nph_internal.h"

typedef struct nph_stage {
    nph_instance_t *instance;
    nph_emitter_t out;
    nph_stage_counts_t counts;
} nph_stage_t;

struct nph_pipeline {
    nph_host_t *host;
    nph_stage_t *stages;
    size_t count, cap;
};

nph_pipeline_t *nph_pipeline_create(nph_host_t *host) {
    nph_pipeline_t *p = (nph_pipeline_t *)calloc(1, sizeof *p);
    if (p) p->host = host;
    return p;
}

void nph_pipeline_destroy(nph_pipeline_t *p) {
    if (!p) return;
    for (size_t i = 0; i < p->count; i++) {
        nph_instance_destroy(p->stages[i].instance);
        nph_emitter_free(&p->stages[i].out);
    }
    free(p->stages);
    free(p);
}

nph_error_t nph_pipeline_add(nph_pipeline_t *p, const char *plugin_id, const char *config, nph_diag_t *diag) {
    nph_transform_t transform;
    nph_error_t e = nph_host_find_transform(p->host, plugin_id, &transform, diag);
    if (e != NPH_OK) return e;
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        nph_stage_t *grown = (nph_stage_t *)realloc(p->stages, cap * sizeof *grown);
        if (!grown) return nph_fail(diag, NPH_E_MEMORY, 0, NULL, "out of memory");
        p->stages = grown;
        p->cap = cap;
    }
    nph_stage_t *stage = &p->stages[p->count];
    memset(stage, 0, sizeof *stage);
    if (nph_emitter_init(&stage->out, 64 * 1024, 1024) != 0)
        return nph_fail(diag, NPH_E_MEMORY, 0, NULL, "out of memory");
    e = nph_instance_create(p->host, &transform, config, &stage->instance, diag);
    if (e != NPH_OK) {
        nph_emitter_free(&stage->out);
        return e;
    }
    p->count++;
    return NPH_OK;
}

size_t nph_pipeline_stage_count(const nph_pipeline_t *p) { return p->count; }
nph_instance_t *nph_pipeline_stage(const nph_pipeline_t *p, size_t i) {
    return i < p->count ? p->stages[i].instance : NULL;
}
const nph_stage_counts_t *nph_pipeline_stage_counts(const nph_pipeline_t *p, size_t i) {
    return i < p->count ? &p->stages[i].counts : NULL;
}

static void nph_count_out(nph_stage_t *stage) {
    stage->counts.records_out += stage->out.em.count;
    stage->counts.bytes_out += stage->out.em.data_used;
}

/* Send batch through stages first..count-1, then to the sink. */
static nph_error_t nph_run_from(nph_pipeline_t *p, size_t first, const np_batch_t *batch, nph_sink_fn sink, void *ctx,
                                nph_diag_t *diag) {
    np_batch_t current = *batch;
    for (size_t i = first; i < p->count; i++) {
        nph_stage_t *stage = &p->stages[i];
        nph_emitter_clear(&stage->out);
        stage->counts.process_calls++;
        stage->counts.records_in += current.count;
        stage->counts.bytes_in += current.count ? current.offsets[current.count] : 0;
        nph_error_t e = nph_instance_process(stage->instance, &current, &stage->out, diag);
        nph_count_out(stage);
        if (e != NPH_OK) return e;
        current = nph_emitter_batch(&stage->out);
    }
    if (sink && current.count && sink(ctx, &current) != 0)
        return nph_fail(diag, NPH_E_STATE, 0, NULL, "the output sink stopped the pipeline");
    return NPH_OK;
}

nph_error_t nph_pipeline_push(nph_pipeline_t *p, const np_batch_t *batch, nph_sink_fn sink, void *ctx,
                              nph_diag_t *diag) {
    nph_diag_clear(diag);
    return nph_run_from(p, 0, batch, sink, ctx, diag);
}

nph_error_t nph_pipeline_finish(nph_pipeline_t *p, nph_sink_fn sink, void *ctx, nph_diag_t *diag) {
    nph_diag_clear(diag);
    for (size_t i = 0; i < p->count; i++) {
        nph_stage_t *stage = &p->stages[i];
        nph_emitter_clear(&stage->out);
        stage->counts.flush_calls++;
        nph_error_t e = nph_instance_flush(stage->instance, &stage->out, diag);
        nph_count_out(stage);
        if (e != NPH_OK) return e;
        np_batch_t held_back = nph_emitter_batch(&stage->out);
        if (held_back.count == 0) continue;
        /* stage i+1.. may overwrite only their own emitters, so held_back stays valid while it travels on. */
        e = nph_run_from(p, i + 1, &held_back, sink, ctx, diag);
        if (e != NPH_OK) return e;
    }
    return NPH_OK;
}
