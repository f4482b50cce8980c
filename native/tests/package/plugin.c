/*
 * plugin.c - the consumer tests' plugin (consumer_check.sh): one np.transform/1 plugin that upper-cases ASCII.
 *
 * -DPKG_TEST_OWN_ENTRY: the library defines its own np_entry (which refuses every host with NP_ERR_UNSUPPORTED)
 * while still registering its plugin with the SDK's macro; the link must keep this entry, not the SDK's.
 */
#include <nplug_sdk/np_sdk.h>

#ifndef PKG_TEST_PLUGIN_ID
#define PKG_TEST_PLUGIN_ID "org.nativeplugins.test.pkg-upper"
#endif

static np_status upper_process(np_sdk_instance_t *self, const np_batch_t *in, np_emitter_t *out, np_error_t *error) {
    (void)self;
    for (uint64_t i = 0; i < in->count; i++) {
        np_bytes_t text = np_batch_record(in, i);
        uint8_t *dst;
        np_status st = np_emit_reserve(out, text.len, &dst);
        if (st != NP_OK) return np_error_set(error, st, "record %llu: no room", (unsigned long long)i);
        for (uint64_t k = 0; k < text.len; k++)
            dst[k] = (uint8_t)(text.ptr[k] >= 'a' && text.ptr[k] <= 'z' ? text.ptr[k] - 32 : text.ptr[k]);
        np_emit_commit(out, text.len);
    }
    return NP_OK;
}

static const np_sdk_transform_t upper = {.instance_size = sizeof(np_sdk_instance_t), .process = upper_process};

NP_TRANSFORM_PLUGIN(upper_plugin, upper, .id = NP_STR_LIT(PKG_TEST_PLUGIN_ID), .name = NP_STR_LIT("Package test"),
                    .version = NP_STR_LIT("1.0.0"));

#ifdef PKG_TEST_OWN_ENTRY
NP_EXTERN_C NP_EXPORT np_status NP_CDECL np_entry(np_negotiation_t *negotiation, const np_library_t **out_library) {
    (void)negotiation;
    (void)out_library;
    return NP_ERR_UNSUPPORTED;
}
#endif
