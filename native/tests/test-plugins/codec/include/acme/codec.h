/* acme/codec.h - the interface "acme.codec/1" (test only): byte buffers in and out and integers of every width, for
 * the tests of a host's own interface in a worker process (the greeter has text and 64-bit integers only). */
#ifndef ACME_CODEC_H
#define ACME_CODEC_H

#include <nplug/nplug.h>

#define ACME_CODEC_ID "acme.codec/1"

/* An instance, owned by the plugin from create until destroy. */
typedef struct acme_codec acme_codec_t;

/** The vtable of acme.codec/1. @interface acme.codec/1 */
typedef struct acme_codec_v1 {
    uint32_t struct_size;
    uint32_t reserved; /* must be 0 */

    /** [thread-safe] @create Create an instance; config "base=<n>" adds n to every mix. Never NULL. */
    np_status(NP_CDECL *create)(const np_host_t *host, np_str_t config, acme_codec_t **out_instance, np_error_t *error);
    /** [instance] @destroy Destroy the instance. Never NULL. */
    void(NP_CDECL *destroy)(acme_codec_t *instance);
    /** [instance] Append data XORed with key, times times; NP_ERR_INPUT when times is 0. Never NULL. */
    np_status(NP_CDECL *xor_bytes)(acme_codec_t *instance, np_bytes_t data, uint8_t key, uint16_t times,
                                   np_out_bytes_t *out, np_error_t *error);
    /** [instance] *out_value = base + a * b + c - d, integers of every width. Never NULL. */
    np_status(NP_CDECL *mix)(acme_codec_t *instance, int8_t a, int16_t b, int32_t c, uint32_t d, int64_t *out_value,
                             np_error_t *error);
    /** [instance] The sign of x: -1, 0 or 1. Never NULL. */
    int8_t(NP_CDECL *sign)(acme_codec_t *instance, int64_t x);
    /** [instance] Bytes XORed so far. Never NULL. */
    uint32_t(NP_CDECL *seen)(acme_codec_t *instance);
    /** [instance] Forget the bytes seen. Never NULL. */
    void(NP_CDECL *reset)(acme_codec_t *instance);
} acme_codec_v1_t;

#endif
