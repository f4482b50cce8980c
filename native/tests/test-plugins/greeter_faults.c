/*
 * greeter_faults.c - libnp_test_greeter_faults.so (test only): com.example.greeter.faults, an acme.greeter/1 plugin
 * whose calls fail on purpose, for the tests of a host's own interface in a worker process (isolation):
 *
 *   greet("!segv")     dereferences NULL (SIGSEGV)
 *   greet("!hang")     spins forever (the host's call deadline ends it)
 *   greet("!overrun")  writes past the end of the np_out_bytes_t capacity it was given (rule P10)
 *   config "!segv"     create dereferences NULL
 *   add(a, b)          a + b, like the reference; any other greet answers "Hello, <name>!"
 *   count              the greetings so far
 *
 * Each instance counts its own greetings, so a test can tell a recreated instance (count back at 0) from the old.
 */
#include <stdlib.h>

#include <nplug_sdk/np_sdk.h>

#include "greeter_layout.h"

struct acme_greeter {
    const np_host_t *host;
    uint64_t greetings;
};

static np_status NP_CDECL faults_create(const np_host_t *host, np_str_t config, acme_greeter_t **out_instance,
                                        np_error_t *error) {
    if (config.len == 5 && memcmp(config.ptr, "!segv", 5) == 0) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    acme_greeter_t *self = (acme_greeter_t *)host->alloc(host, sizeof *self, 8);
    if (!self) return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "out of host memory");
    self->host = host;
    self->greetings = 0;
    *out_instance = self;
    return NP_OK;
}

static void NP_CDECL faults_destroy(acme_greeter_t *instance) {
    if (instance) instance->host->free(instance->host, instance, sizeof *instance, 8);
}

static int str_is(np_str_t s, const char *literal) {
    size_t n = strlen(literal);
    return s.len == n && memcmp(s.ptr, literal, n) == 0;
}

static np_status NP_CDECL faults_greet(acme_greeter_t *self, np_str_t name, np_out_bytes_t *out, np_error_t *error) {
    if (str_is(name, "!segv")) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    if (str_is(name, "!hang"))
        for (volatile int spin = 1; spin;) {}
    if (str_is(name, "!overrun")) {
        memset(out->data, 'x', (size_t)out->capacity + 8);
        out->len = out->capacity;
        return NP_OK;
    }
    uint64_t n = 7 + name.len + 1;
    if (out->capacity - out->len < n) {
        np_status status = out->reserve(out, n);
        if (status != NP_OK) return np_error_set(error, status, "reserve failed");
    }
    memcpy(out->data + out->len, "Hello, ", 7);
    if (name.len) memcpy(out->data + out->len + 7, name.ptr, (size_t)name.len);
    out->data[out->len + n - 1] = '!';
    out->len += n;
    self->greetings++;
    return NP_OK;
}

static np_status NP_CDECL faults_add(acme_greeter_t *self, int64_t a, int64_t b, int64_t *out_sum, np_error_t *error) {
    (void)self;
    if (__builtin_add_overflow(a, b, out_sum))
        return np_error_set(error, NP_ERR_INPUT, "%lld + %lld overflows int64_t", (long long)a, (long long)b);
    return NP_OK;
}

static uint64_t NP_CDECL faults_count(const acme_greeter_t *self) { return self->greetings; }

static const acme_greeter_v1_t faults_vtable = {
    sizeof(acme_greeter_v1_t), 0, faults_create, faults_destroy, faults_greet, faults_add, faults_count,
};
ACME_GREETER_V1_DEFINE_INTERFACE_LAYOUT(faults_layout);
static const np_interface_t faults_interfaces[] = {{NP_STR_LIT(ACME_GREETER_ID), &faults_vtable}};
static const np_plugin_descriptor_t faults_plugin = {
    sizeof(np_plugin_descriptor_t),
    NP_THREADING_SINGLE,
    NP_STR_LIT("com.example.greeter.faults"),
    NP_STR_LIT("Greeter that fails on purpose"),
    NP_STR_LIT("1.0.0"),
    NP_STR_LIT("acme.greeter/1 isolation test plugin"),
    NP_STR_LIT("NativePlugins"),
    faults_interfaces,
    1,
    &faults_layout,
};
NP_REGISTER_PLUGIN(faults_plugin);
