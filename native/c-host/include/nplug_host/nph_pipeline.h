/*
 * nph_pipeline.h - a chain of np.transform/1 instances: each stage's output batch is the next stage's input.
 *
 * push() sends one batch through every stage; finish() ends the stream: it flushes stage 1, sends what that
 * emitted through stages 2..n, flushes stage 2, and so on, so records held back by an early stage still pass
 * the later ones. The records leaving the last stage go to a sink callback. The pipeline counts records and
 * bytes in and out of every stage itself (it does not trust plugin stats) and also reads plugin stats.
 */
#ifndef NPLUG_HOST_PIPELINE_H
#define NPLUG_HOST_PIPELINE_H

#include "nph_loader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nph_pipeline nph_pipeline_t;

/* Receives the records leaving the last stage. Return 0 to continue, non-zero to stop with NPH_E_STATE. */
typedef int (*nph_sink_fn)(void *context, const np_batch_t *records);

typedef struct nph_stage_counts {
    uint64_t process_calls, flush_calls;
    uint64_t records_in, records_out, bytes_in, bytes_out;
} nph_stage_counts_t;

nph_pipeline_t *nph_pipeline_create(nph_host_t *host);
/* Destroys every stage's instance. */
void nph_pipeline_destroy(nph_pipeline_t *pipeline);
/* Append a stage: the plugin plugin_id (np.transform/1) created with config. */
nph_error_t nph_pipeline_add(nph_pipeline_t *pipeline, const char *plugin_id, const char *config, nph_diag_t *diag);
size_t nph_pipeline_stage_count(const nph_pipeline_t *pipeline);
nph_instance_t *nph_pipeline_stage(const nph_pipeline_t *pipeline, size_t index);
const nph_stage_counts_t *nph_pipeline_stage_counts(const nph_pipeline_t *pipeline, size_t index);
/* Send a batch through all stages, then to sink. */
nph_error_t nph_pipeline_push(nph_pipeline_t *pipeline, const np_batch_t *batch, nph_sink_fn sink, void *context,
                              nph_diag_t *diag);
/* End of stream: flush every stage in order (see above). The pipeline can take a new stream afterwards. */
nph_error_t nph_pipeline_finish(nph_pipeline_t *pipeline, nph_sink_fn sink, void *context, nph_diag_t *diag);

#ifdef __cplusplus
}
#endif

#endif /* NPLUG_HOST_PIPELINE_H */
