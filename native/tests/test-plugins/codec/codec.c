/*
 * codec.c - libnp_test_codec.so (test only): com.example.codec implements acme.codec/1 (include/acme/codec.h, its
 * bindings in generated/), so that the isolation tests cover np_bytes_t in, np_out_bytes_t bytes out and integers of
 * every width against the in-process results. Written against the bare header, no interface layout.
 */
#include <stdlib.h>

#include <acme/codec.h>
#include <nplug_sdk/np_sdk.h>

struct acme_codec {
    const np_host_t *host;
    int64_t base;
    uint32_t seen;
};

static np_status NP_CDECL codec_create(const np_host_t *host, np_str_t config, acme_codec_t **out_instance,
                                       np_error_t *error) {
    int64_t base = 0;
    if (config.len) {
        static const char key[] = "base=";
        char digits[32];
        if (config.len <= sizeof key - 1 || config.len - (sizeof key - 1) >= sizeof digits ||
            memcmp(config.ptr, key, sizeof key - 1) != 0)
            return np_error_set(error, NP_ERR_CONFIG, "unknown config '" NP_STR_FMT "' (expected base=<n>)",
                                NP_STR_ARG(config));
        memcpy(digits, config.ptr + sizeof key - 1, (size_t)config.len - (sizeof key - 1));
        digits[config.len - (sizeof key - 1)] = 0;
        base = strtoll(digits, NULL, 10);
    }
    acme_codec_t *self = (acme_codec_t *)host->alloc(host, sizeof *self, 8);
    if (!self) return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "out of host memory");
    self->host = host;
    self->base = base;
    self->seen = 0;
    *out_instance = self;
    return NP_OK;
}

static void NP_CDECL codec_destroy(acme_codec_t *instance) {
    if (instance) instance->host->free(instance->host, instance, sizeof *instance, 8);
}

static np_status NP_CDECL codec_xor(acme_codec_t *self, np_bytes_t data, uint8_t key, uint16_t times,
                                    np_out_bytes_t *out, np_error_t *error) {
    if (times == 0)
        return np_error_set(error, NP_ERR_INPUT, "times is 0 (key %u, %llu bytes)", key, (unsigned long long)data.len);
    uint64_t n = data.len * times;
    if (out->capacity - out->len < n) {
        np_status status = out->reserve(out, n);
        if (status != NP_OK) return np_error_set(error, status, "reserve(%llu) failed", (unsigned long long)n);
    }
    for (uint16_t t = 0; t < times; t++)
        for (uint64_t i = 0; i < data.len; i++) out->data[out->len++] = (uint8_t)(data.ptr[i] ^ key);
    self->seen += (uint32_t)n;
    return NP_OK;
}

static np_status NP_CDECL codec_mix(acme_codec_t *self, int8_t a, int16_t b, int32_t c, uint32_t d, int64_t *out_value,
                                    np_error_t *error) {
    (void)error;
    *out_value = self->base + (int64_t)a * b + c - (int64_t)d;
    return NP_OK;
}

static int8_t NP_CDECL codec_sign(acme_codec_t *self, int64_t x) {
    (void)self;
    return (int8_t)(x < 0 ? -1 : x > 0 ? 1 : 0);
}

static uint32_t NP_CDECL codec_seen(acme_codec_t *self) { return self->seen; }

static void NP_CDECL codec_reset(acme_codec_t *self) { self->seen = 0; }

static const acme_codec_v1_t codec_vtable = {
    sizeof(acme_codec_v1_t), 0, codec_create, codec_destroy, codec_xor, codec_mix, codec_sign, codec_seen, codec_reset,
};
static const np_interface_t codec_interfaces[] = {{NP_STR_LIT(ACME_CODEC_ID), &codec_vtable}};
static const np_plugin_descriptor_t codec_plugin = {
    sizeof(np_plugin_descriptor_t),
    NP_THREADING_THREAD_SAFE,
    NP_STR_LIT("com.example.codec"),
    NP_STR_LIT("Codec"),
    NP_STR_LIT("1.0.0"),
    NP_STR_LIT("acme.codec/1 test plugin"),
    NP_STR_LIT("NativePlugins"),
    codec_interfaces,
    1,
    NULL,
};
NP_REGISTER_PLUGIN(codec_plugin);
