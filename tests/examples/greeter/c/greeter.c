/* greeter.c - acme.greeter/1 in C: "<greeting>, <name>!", checked addition, a greeting counter; and, in the same
 * plugin, an np.transform/1 that greets every record (the C SDK's transform adapter next to an interface of one's
 * own). Everything interface-specific comes from the header (acme/greeter.h) and its generated layout
 * (greeter_layout.g.h, `nplug bindgen`); the C SDK brings np_entry, config parsing, errors and np_out.h. */
#include <nplug_sdk/np_sdk.h>

#include "greeter_layout.g.h"

struct acme_greeter {
    const np_host_t *host; /* this instance's host table: valid until destroy returns */
    np_str_t greeting;     /* a copy in host memory: the config is borrowed for create only */
    uint64_t count;
};

typedef struct {
    np_str_t greeting;
} greeter_options_t;

static const np_config_option_t greeter_options[] = {
    NP_CONFIG_OPTION_STRING("greeting", greeter_options_t, greeting, NP_CONFIG_NONEMPTY),
};

static np_status NP_CDECL greeter_create(const np_host_t *host, np_str_t config, acme_greeter_t **out_instance,
                                         np_error_t *error) {
    if (!out_instance) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "out_instance is NULL");
    *out_instance = NULL;
    greeter_options_t opts = {NP_STR_LIT("Hello")};
    np_status st = np_config_parse(config, greeter_options, 1, &opts, error);
    if (st != NP_OK) return st;
    acme_greeter_t *self = np_host_alloc_zeroed(host, sizeof *self);
    uint8_t *text = np_host_copy_bytes(host, opts.greeting.ptr, opts.greeting.len);
    if (!self || !text) {
        np_host_free(host, self, sizeof *self, NP_HOST_DEFAULT_ALIGN);
        np_host_free(host, text, opts.greeting.len + 1, 1);
        return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "no memory for a greeter");
    }
    self->host = host;
    self->greeting = (np_str_t){text, opts.greeting.len};
    *out_instance = self;
    return NP_OK;
}

static void NP_CDECL greeter_destroy(acme_greeter_t *self) {
    if (!self) return;
    np_host_free(self->host, (void *)self->greeting.ptr, self->greeting.len + 1, 1); /* np_host_copy_bytes adds a NUL */
    np_host_free(self->host, self, sizeof *self, NP_HOST_DEFAULT_ALIGN);
}

static np_status NP_CDECL greeter_greet(acme_greeter_t *self, np_str_t name, np_out_bytes_t *out, np_error_t *error) {
    if (!self) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "instance is NULL");
    if (!np_utf8_validate(name.ptr, name.len, NULL))
        return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "name is not valid UTF-8");
    np_status st = np_out_write_str(out, self->greeting, error);
    if (st == NP_OK) st = np_out_write_cstr(out, ", ", error);
    if (st == NP_OK) st = np_out_write_str(out, name, error);
    if (st == NP_OK) st = np_out_write_cstr(out, "!", error);
    if (st == NP_OK) self->count++;
    return st;
}

static np_status NP_CDECL greeter_add(acme_greeter_t *self, int64_t a, int64_t b, int64_t *out_sum, np_error_t *error) {
    if (!self || !out_sum) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "instance or out_sum is NULL");
    if (__builtin_add_overflow(a, b, out_sum))
        return np_error_set(error, NP_ERR_INPUT, "%lld + %lld overflows int64_t", (long long)a, (long long)b);
    return NP_OK;
}

static uint64_t NP_CDECL greeter_count(const acme_greeter_t *self) { return self ? self->count : 0; }

static const acme_greeter_v1_t greeter_vtable = {
    .struct_size = sizeof(acme_greeter_v1_t),
    .create = greeter_create,
    .destroy = greeter_destroy,
    .greet = greeter_greet,
    .add = greeter_add,
    .count = greeter_count,
};

ACME_GREETER_V1_DEFINE_LAYOUT_REPORT(greeter_layout_report); /* this compiler's layout of acme.greeter/1 */

/* ---- np.transform/1: "world" -> "Hello, world!" per record -------------------------------------------------- */
typedef struct {
    np_sdk_instance_t base; /* first member: the SDK's part */
    np_str_t greeting;      /* a copy in host memory */
} greeter_transform_t;

static np_status transform_create(np_sdk_instance_t *base, np_str_t config, np_error_t *error) {
    greeter_transform_t *self = (greeter_transform_t *)base;
    greeter_options_t opts = {NP_STR_LIT("Hello")};
    np_status st = np_config_parse(config, greeter_options, 1, &opts, error);
    if (st != NP_OK) return st;
    uint8_t *text = np_host_copy_bytes(base->host, opts.greeting.ptr, opts.greeting.len);
    if (!text) return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "no memory for the greeting");
    self->greeting = (np_str_t){text, opts.greeting.len};
    return NP_OK;
}

static void transform_destroy(np_sdk_instance_t *base) {
    greeter_transform_t *self = (greeter_transform_t *)base;
    if (self->greeting.ptr) np_host_free(base->host, (void *)self->greeting.ptr, self->greeting.len + 1, 1);
}

static np_status transform_process(np_sdk_instance_t *base, const np_batch_t *in, np_emitter_t *out,
                                   np_error_t *error) {
    np_str_t greeting = ((greeter_transform_t *)base)->greeting;
    for (uint64_t i = 0; i < in->count; i++) {
        np_bytes_t name = np_batch_record(in, i);
        uint8_t *dst;
        np_status st = np_emit_reserve(out, greeting.len + 2 + name.len + 1, &dst); /* written in place */
        if (st != NP_OK) return np_error_set(error, st, "record %llu: no room", (unsigned long long)i);
        memcpy(dst, greeting.ptr, (size_t)greeting.len);
        memcpy(dst + greeting.len, ", ", 2);
        if (name.len) memcpy(dst + greeting.len + 2, name.ptr, (size_t)name.len);
        dst[greeting.len + 2 + name.len] = '!';
        np_emit_commit(out, greeting.len + 2 + name.len + 1);
    }
    return NP_OK;
}

static const np_sdk_transform_t greeter_transform = {.instance_size = sizeof(greeter_transform_t),
                                                     .create = transform_create,
                                                     .process = transform_process,
                                                     .destroy = transform_destroy};

/* ---- the plugin: both interfaces, each with its layout (np.transform/1's is covered by the ABI fingerprint) -- */
static const np_plugin_descriptor_t greeter_plugin;
NP_TRANSFORM_VTABLE(greeter_transform_vtable, greeter_transform, greeter_plugin);

static const np_interface_t greeter_interfaces[] = {{NP_STR_LIT(ACME_GREETER_ID), &greeter_vtable},
                                                    {NP_STR_LIT(NP_TRANSFORM_ID), &greeter_transform_vtable}};
static const np_interface_layout_t greeter_layouts[] = {ACME_GREETER_V1_INTERFACE_LAYOUT(greeter_layout_report),
                                                        {0, NULL}};

static const np_plugin_descriptor_t greeter_plugin = {
    .struct_size = sizeof(np_plugin_descriptor_t),
    .threading = NP_THREADING_SINGLE,
    .id = NP_STR_LIT("com.example.greeter.c"),
    .name = NP_STR_LIT("Greeter (C)"),
    .version = NP_STR_LIT("1.0.0"),
    .description = NP_STR_LIT("acme.greeter/1 and np.transform/1 in C: greets by name"),
    .interfaces = greeter_interfaces,
    .interface_count = 2,
    .interface_layouts = greeter_layouts,
};
NP_REGISTER_PLUGIN(greeter_plugin);
