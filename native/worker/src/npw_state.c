/*
 * npw_state.c - SAVE_STATE and RESTORE_STATE (npw_protocol.h): np.state/1 (ABI 1.3) of an np.transform/1 instance
 * of this worker, so that an isolated instance's state can be saved and restored as an in-process one's (hot reload
 * hands it over from an old worker's instance to a new one's). The calls and their checks are np_c_host's
 * (nph_instance_save_state / nph_instance_restore_state: the np_out_bytes_t protocol, the message contract, poisoning
 * on an overrun); the blob is the plugin's own, and this worker never looks inside it. One call per hand-over, not a
 * hot path: the saved blob is copied once from np_c_host's buffer into the output memfd.
 */
#include <string.h>

#include "npw_worker.h"

void npw_save_state(npw_worker_t *w) {
    npw_control_t *c = w->control;
    nph_instance_t *instance = npw_instance(w, c->instance);
    if (!instance) {
        npw_reply_bad(c, "no such instance");
        return;
    }
    npw_output_reset(w);
    uint8_t *blob = NULL;
    uint64_t len = 0;
    nph_diag_t diag;
    if (nph_instance_save_state(instance, &blob, &len, &diag) != NPH_OK) {
        npw_reply_diag(c, &diag);
        npw_output_publish(w);
        return;
    }
    if (npw_output_reserve_bytes(w, len) != 0) {
        nph_state_free(blob);
        npw_reply_bad(c, "out of memory copying the saved state into the output");
        return;
    }
    if (len) memcpy(w->emitter.em.data, blob, (size_t)len);
    nph_state_free(blob);
    w->emitter.em.data_used = len; /* bytes, not records: count stays 0 (as LOAD's info) */
    npw_reply_ok(c);
    npw_output_publish(w);
    npw_output_reset(w);
}

void npw_restore_state(npw_worker_t *w) {
    npw_control_t *c = w->control;
    nph_instance_t *instance = npw_instance(w, c->instance);
    if (!instance) {
        npw_reply_bad(c, "no such instance");
        return;
    }
    if (npw_channel_sync_input(w) != 0 || c->arg_len > w->input.size) {
        npw_reply_bad(c, "the state lies outside the input memfd");
        return;
    }
    nph_diag_t diag;
    if (nph_instance_restore_state(instance, c->arg_len ? w->input.base : NULL, c->arg_len, &diag) != NPH_OK)
        npw_reply_diag(c, &diag);
    else
        npw_reply_ok(c);
}
