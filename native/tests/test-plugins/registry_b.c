/*
 * registry_b.c - second translation unit of libnp_test_registry.so (test only).
 *
 *   org.nativeplugins.test.manual  a descriptor written by hand (no NP_TRANSFORM_PLUGIN) and registered with
 *                                  NP_REGISTER_PLUGIN, offering np.transform/1 (through the SDK adapter) plus an
 *                                  interface the host does not know (it must ignore it)
 * and a library hook that logs its init through the host it is given and counts its deinits in an exported
 * variable, so tests can watch the SDK's ref-counting (S12).
 */
#include <nplug_sdk/np_sdk.h>

static np_status manual_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out,
                                np_error_t *error) {
    (void)self;
    for (uint64_t i = batch->count; i-- > 0;) { /* reverse order */
        np_status status = np_emit_bytes(out, np_batch_record(batch, i));
        if (status != NP_OK) return np_error_set(error, status, "emit failed");
    }
    return NP_OK;
}

static const np_sdk_transform_t manual_impl = {.process = manual_process};
static const np_plugin_descriptor_t manual_plugin;

static np_status NP_CDECL manual_create(const np_host_t *host, np_str_t config, np_instance_t **out,
                                        np_error_t *error) {
    return np_sdk_transform_create(&manual_impl, &manual_plugin, host, config, out, error);
}

static const np_transform_v1_t manual_vtable = {
    sizeof(np_transform_v1_t),
    0,
    manual_create,
    np_sdk_transform_destroy,
    np_sdk_transform_process,
    np_sdk_transform_flush,
    np_sdk_transform_stats,
};
static const uint32_t manual_other_vtable[2] = {8, 0}; /* struct_size only */
static const np_interface_t manual_interfaces[] = {
    {NP_STR_LIT("org.nativeplugins.test.other/3"), manual_other_vtable},
    {NP_STR_LIT(NP_TRANSFORM_ID), &manual_vtable},
};
static const np_plugin_descriptor_t manual_plugin = {
    sizeof(np_plugin_descriptor_t),
    NP_THREADING_SINGLE,
    NP_STR_LIT("org.nativeplugins.test.manual"),
    NP_STR_LIT("Hand-written descriptor (reverses batches)"),
    NP_STR_LIT("0.1.0-beta.1+build.7"),
    NP_STR_LIT(""),
    NP_STR_LIT(""),
    manual_interfaces,
    2,
    NULL, /* interface_layouts (ABI 1.2): none given */
};
NP_REGISTER_PLUGIN(manual_plugin);

/* ---- library hook ---- */
/* The init table is used only during init (S12): deinit cannot know which init it undoes, so whichever table it
 * kept may be gone. The deinit hook therefore reports through this counter, which tests read with dlsym. */
NP_EXPORT unsigned np_test_registry_deinit_runs;

static np_status registry_hook_init(const np_host_t *host, np_error_t *error) {
    (void)error;
    np_host_log(host, NP_LOG_INFO, "registry hook: init");
    return NP_OK;
}

static void registry_hook_deinit(void) { np_test_registry_deinit_runs++; }

NP_LIBRARY_HOOK(registry, registry_hook_init, registry_hook_deinit);
