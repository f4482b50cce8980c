/* shout.c - the C SDK's README example: upper-cases ASCII and appends `marks` exclamation marks. */
#include <nplug_sdk/np_sdk.h>

typedef struct shout {
    np_sdk_instance_t base; /* first member: the SDK's part (host table, stats) */
    uint64_t marks;
} shout_t;

static const np_config_option_t shout_options[] = {
    NP_CONFIG_OPTION_U64("marks", shout_t, marks, 0, 16),
};

static np_status shout_create(np_sdk_instance_t *self, np_str_t config, np_error_t *error) {
    ((shout_t *)self)->marks = 1;
    return np_config_parse(config, shout_options, 1, self, error); /* "marks=3"; unknown keys -> NP_ERR_CONFIG */
}

static np_status shout_process(np_sdk_instance_t *self, const np_batch_t *in, np_emitter_t *out, np_error_t *error) {
    uint64_t marks = ((shout_t *)self)->marks;
    for (uint64_t i = 0; i < in->count; i++) {
        np_bytes_t text = np_batch_record(in, i);
        uint8_t *dst;
        np_status st = np_emit_reserve(out, text.len + marks, &dst); /* write in place, no copy */
        if (st != NP_OK) return np_error_set(error, st, "record %llu: no room", (unsigned long long)i);
        for (uint64_t k = 0; k < text.len; k++)
            dst[k] = (uint8_t)(text.ptr[k] >= 'a' && text.ptr[k] <= 'z' ? text.ptr[k] - 32 : text.ptr[k]);
        memset(dst + text.len, '!', (size_t)marks);
        np_emit_commit(out, text.len + marks);
    }
    return NP_OK;
}

static const np_sdk_transform_t shout = {
    .instance_size = sizeof(shout_t), .create = shout_create, .process = shout_process};

NP_TRANSFORM_PLUGIN(shout_plugin, shout, .id = NP_STR_LIT("com.example.shout"), .name = NP_STR_LIT("Shout"),
                    .version = NP_STR_LIT("1.0.0"));
