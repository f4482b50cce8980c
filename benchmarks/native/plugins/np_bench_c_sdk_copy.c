/*
 * np_bench_c_sdk_copy.c - libnp_bench_c_sdk.so: org.nativeplugins.bench.c-sdk.copy, the "copy every record" transform
 * written with the C SDK (native/c-sdk). The same logic exists in every plugin language (benchmarks/plugin-targets.tsv:
 * the raw-ABI C plugin, Rust, C# NativeAOT, C# hosted), so the per-language call costs differ only in the SDK and the
 * runtime behind the call.
 */
#include <nplug_sdk/np_sdk.h>

static np_status copy_create(np_sdk_instance_t *self, np_str_t config, np_error_t *error) {
    return np_config_parse(config, NULL, 0, self, error); /* no options: any key is NP_ERR_CONFIG */
}

static np_status copy_process(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out, np_error_t *error) {
    (void)self;
    if (batch->count == 0) return NP_OK;
    /* The whole batch as one block (one room check, one memcpy, offsets shifted), as the raw-ABI and Rust plugins do. */
    np_status status = np_emit_records(out, batch, 0, batch->count);
    if (status != NP_OK)
        return np_error_set(error, status, "records 0..%llu: the host could not make room",
                            (unsigned long long)batch->count - 1);
    return NP_OK;
}

static const np_sdk_transform_t copy_impl = {
    .instance_size = 0,
    .create = copy_create,
    .process = copy_process,
};

NP_TRANSFORM_PLUGIN(copy_plugin, copy_impl, .id = NP_STR_LIT("org.nativeplugins.bench.c-sdk.copy"),
                    .name = NP_STR_LIT("Bench copy (C SDK)"), .version = NP_STR_LIT("1.0.0"),
                    .description = NP_STR_LIT("copies every record; benchmark-only"),
                    .vendor = NP_STR_LIT("NativePlugins benchmarks"));
