/* acme/greeter.h - the interface "acme.greeter/1": greets by name, adds numbers, counts greetings. */
#ifndef ACME_GREETER_H
#define ACME_GREETER_H

#include <nplug/nplug.h>

#define ACME_GREETER_ID "acme.greeter/1"

/* An instance, owned by the plugin from create until destroy. */
typedef struct acme_greeter acme_greeter_t;

/** The vtable of acme.greeter/1. @interface acme.greeter/1 */
typedef struct acme_greeter_v1 {
    uint32_t struct_size;
    uint32_t reserved; /* must be 0 */

    /** [thread-safe] @create Create an instance from config (UTF-8, the plugin's own format). Never NULL. */
    np_status (NP_CDECL *create)(const np_host_t *host, np_str_t config, acme_greeter_t **out_instance,
                                 np_error_t *error);
    /** [instance] @destroy Destroy the instance. NULL is a no-op. Never NULL. */
    void (NP_CDECL *destroy)(acme_greeter_t *instance);
    /** [instance] Append "Hello, <name>!" to out. @returns text Never NULL. */
    np_status (NP_CDECL *greet)(acme_greeter_t *instance, np_str_t name, np_out_bytes_t *out, np_error_t *error);
    /** [instance] *out_sum = a + b; NP_ERR_INPUT on overflow. Never NULL. */
    np_status (NP_CDECL *add)(acme_greeter_t *instance, int64_t a, int64_t b, int64_t *out_sum, np_error_t *error);
    /** [instance][leaf] Greetings so far. Optional: NULL when not provided. @since 1.1 */
    uint64_t (NP_CDECL *count)(const acme_greeter_t *instance);
} acme_greeter_v1_t;

#endif
