/*
 * greeter.c - libnp_test_greeter.so (test only): plugins implementing acme.greeter/1, the interface of a host's own
 * (interop/interfaces.md), written against the bare header so that each plugin can give the host exactly the vtable
 * and interface layout a test needs.
 *
 *   com.example.greeter        the reference: NP_THREADING_SINGLE, minor 1 (count), fingerprint and layout report.
 *                              config "greeting=<word>" (default Hello). greet appends "<greeting>, <name>!";
 *                              name "!panic" returns NP_ERR_PANIC, "!slow" holds the call ~1 ms and every call
 *                              detects overlap (rule H4: it returns NP_ERR_STATE if another call is inside).
 *   com.example.greeter.old    minor 0: struct_size ends before count, no interface layout given.
 *   com.example.greeter.newer  a newer minor of the interface: a field appended after count, a fingerprint the
 *                              host does not know and a layout report that shows the appended field.
 *   com.example.greeter.other  also lists acme.other/1, which no host registers: its function aborts if called.
 *
 * The reference takes its fingerprint and layout report from the interface's generated layout header
 * (tests/examples/greeter/generated/c/greeter_layout.g.h), as a C plugin of the interface does.
 *
 * np_test_greeter_probe counts creates, destroys and deinit runs, and the instances alive when deinit ran (rule H6
 * says none).
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdlib.h>
#include <time.h>

#include <nplug_sdk/np_sdk.h>

#include "greeter_layout.h"

typedef struct greeter_probe {
    uint32_t creates, destroys, deinit_runs, live_at_deinit;
} greeter_probe_t;

NP_EXPORT greeter_probe_t np_test_greeter_probe;

struct acme_greeter {
    const np_host_t *host;
    uint8_t greeting[64];
    uint64_t greeting_len;
    uint64_t greetings;
    int in_call; /* rule H4 probe */
};

static np_status NP_CDECL greeter_create(const np_host_t *host, np_str_t config, acme_greeter_t **out_instance,
                                         np_error_t *error) {
    if (!out_instance) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "out_instance is NULL");
    *out_instance = NULL;
    const char *problem = np_host_check(host);
    if (problem) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "%s", problem);
    np_str_t word = NP_STR_LIT("Hello");
    np_str_t trimmed = np_config_trim(config);
    if (trimmed.len) {
        static const char key[] = "greeting=";
        if (trimmed.len <= sizeof key - 1 || memcmp(trimmed.ptr, key, sizeof key - 1) != 0)
            return np_error_set(error, NP_ERR_CONFIG, "unknown config '" NP_STR_FMT "' (expected greeting=<word>)",
                                NP_STR_ARG(trimmed));
        word.ptr = trimmed.ptr + sizeof key - 1;
        word.len = trimmed.len - (sizeof key - 1);
    }
    if (word.len > sizeof(((acme_greeter_t *)0)->greeting))
        return np_error_set(error, NP_ERR_CONFIG, "greeting is %llu bytes (at most 64)", (unsigned long long)word.len);
    acme_greeter_t *self = (acme_greeter_t *)host->alloc(host, sizeof *self, 8);
    if (!self) return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "out of host memory");
    memset(self, 0, sizeof *self);
    self->host = host;
    memcpy(self->greeting, word.ptr, (size_t)word.len);
    self->greeting_len = word.len;
    __atomic_add_fetch(&np_test_greeter_probe.creates, 1, __ATOMIC_SEQ_CST);
    *out_instance = self;
    return NP_OK;
}

static void NP_CDECL greeter_destroy(acme_greeter_t *instance) {
    if (!instance) return;
    instance->host->free(instance->host, instance, sizeof *instance, 8);
    __atomic_add_fetch(&np_test_greeter_probe.destroys, 1, __ATOMIC_SEQ_CST);
}

/* Appends to the caller's buffer, growing it through reserve only when the bytes do not fit (ABI section 3). */
static np_status out_append(np_out_bytes_t *out, const void *bytes, uint64_t n, np_error_t *error) {
    if (out->capacity - out->len < n) {
        if (!out->reserve)
            return np_error_set(error, NP_ERR_OUT_OF_MEMORY, "the output needs %llu bytes",
                                (unsigned long long)(out->len + n));
        np_status status = out->reserve(out, n);
        if (status != NP_OK) return np_error_set(error, status, "reserve(%llu) failed", (unsigned long long)n);
    }
    if (n) memcpy(out->data + out->len, bytes, (size_t)n);
    out->len += n;
    return NP_OK;
}

static int str_is(np_str_t s, const char *literal) {
    size_t n = strlen(literal);
    return s.len == n && (n == 0 || memcmp(s.ptr, literal, n) == 0);
}

static np_status greet_body(acme_greeter_t *self, np_str_t name, np_out_bytes_t *out, np_error_t *error) {
    if (str_is(name, "!panic")) return np_error_set(error, NP_ERR_PANIC, "the greeter panicked on purpose");
    if (str_is(name, "!slow")) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    np_status status = out_append(out, self->greeting, self->greeting_len, error);
    if (status == NP_OK) status = out_append(out, ", ", 2, error);
    if (status == NP_OK) status = out_append(out, name.ptr, name.len, error);
    if (status == NP_OK) status = out_append(out, "!", 1, error);
    if (status == NP_OK) self->greetings++;
    return status;
}

static np_status NP_CDECL greeter_greet(acme_greeter_t *self, np_str_t name, np_out_bytes_t *out, np_error_t *error) {
    if (!self || !out) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "NULL argument");
    if (name.len && !name.ptr) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "name.ptr is NULL");
    if (__atomic_exchange_n(&self->in_call, 1, __ATOMIC_SEQ_CST))
        return np_error_set(error, NP_ERR_STATE, "overlapping calls on a single-threaded instance (rule H4)");
    np_status status = greet_body(self, name, out, error);
    __atomic_store_n(&self->in_call, 0, __ATOMIC_SEQ_CST);
    return status;
}

static np_status NP_CDECL greeter_add(acme_greeter_t *self, int64_t a, int64_t b, int64_t *out_sum, np_error_t *error) {
    if (!self || !out_sum) return np_error_set(error, NP_ERR_INVALID_ARGUMENT, "NULL argument");
    if (__builtin_add_overflow(a, b, out_sum))
        return np_error_set(error, NP_ERR_INPUT, "%lld + %lld overflows int64_t", (long long)a, (long long)b);
    return NP_OK;
}

static uint64_t NP_CDECL greeter_count(const acme_greeter_t *self) { return self ? self->greetings : 0; }

/* ---- com.example.greeter ---- */
static const acme_greeter_v1_t greeter_vtable = {
    sizeof(acme_greeter_v1_t), 0, greeter_create, greeter_destroy, greeter_greet, greeter_add, greeter_count,
};

/* The fingerprint and this compiler's layout report, as the interface's generated header defines them. */
ACME_GREETER_V1_DEFINE_INTERFACE_LAYOUT(greeter_layout);

static const np_interface_t greeter_interfaces[] = {{NP_STR_LIT(ACME_GREETER_ID), &greeter_vtable}};

#define GREETER_DESCRIPTOR(id_literal, name_literal, threading, interfaces, layouts)                                   \
    {                                                                                                                  \
        sizeof(np_plugin_descriptor_t), threading, NP_STR_LIT(id_literal), NP_STR_LIT(name_literal),                   \
            NP_STR_LIT("1.0.0"), NP_STR_LIT("acme.greeter/1 test plugin"), NP_STR_LIT("NativePlugins"), interfaces,    \
            sizeof(interfaces) / sizeof((interfaces)[0]), layouts                                                      \
    }

static const np_plugin_descriptor_t greeter_plugin =
    GREETER_DESCRIPTOR("com.example.greeter", "Greeter", NP_THREADING_SINGLE, greeter_interfaces, &greeter_layout);
NP_REGISTER_PLUGIN(greeter_plugin);

/* ---- com.example.greeter.old: minor 0 (no count), no layout ---- */
static const acme_greeter_v1_t old_vtable = {
    (uint32_t)offsetof(acme_greeter_v1_t, count),
    0,
    greeter_create,
    greeter_destroy,
    greeter_greet,
    greeter_add,
    greeter_count, /* beyond struct_size: a host must not read it */
};
static const np_interface_t old_interfaces[] = {{NP_STR_LIT(ACME_GREETER_ID), &old_vtable}};
static const np_plugin_descriptor_t old_plugin =
    GREETER_DESCRIPTOR("com.example.greeter.old", "Greeter, minor 0", NP_THREADING_THREAD_SAFE, old_interfaces, NULL);
NP_REGISTER_PLUGIN(old_plugin);

/* ---- com.example.greeter.newer: a minor the host's header does not have yet ---- */
typedef struct greeter_newer_vtable {
    acme_greeter_v1_t v1;
    uint64_t(NP_CDECL *wave)(const acme_greeter_t *instance); /* "@since 1.2" of a newer header */
} greeter_newer_vtable_t;

static const greeter_newer_vtable_t newer_vtable = {
    {sizeof(greeter_newer_vtable_t), 0, greeter_create, greeter_destroy, greeter_greet, greeter_add, greeter_count},
    greeter_count,
};
static const np_layout_field_t newer_report_fields[] = {
    GREETER_TEST_FIELD(acme_greeter_v1_t, struct_size),
    GREETER_TEST_FIELD(acme_greeter_v1_t, reserved),
    GREETER_TEST_FIELD(acme_greeter_v1_t, create),
    GREETER_TEST_FIELD(acme_greeter_v1_t, destroy),
    GREETER_TEST_FIELD(acme_greeter_v1_t, greet),
    GREETER_TEST_FIELD(acme_greeter_v1_t, add),
    GREETER_TEST_FIELD(acme_greeter_v1_t, count),
    {GREETER_TEST_NAME("wave"), (uint32_t)offsetof(greeter_newer_vtable_t, wave), (uint32_t)sizeof(void *)},
};
static const np_layout_struct_t newer_report_structs[] = {
    {GREETER_TEST_NAME("acme_greeter_v1_t"), (uint32_t)sizeof(greeter_newer_vtable_t),
     (uint32_t) _Alignof(greeter_newer_vtable_t), newer_report_fields,
     sizeof newer_report_fields / sizeof newer_report_fields[0]},
};
static const np_layout_report_t newer_report = {sizeof(np_layout_report_t), 0, newer_report_structs, 1};
static const np_interface_t newer_interfaces[] = {{NP_STR_LIT(ACME_GREETER_ID), &newer_vtable}};
static const np_interface_layout_t newer_layouts[] = {{0x6e657765725f6670ull /* "newer_fp" */, &newer_report}};
static const np_plugin_descriptor_t newer_plugin = GREETER_DESCRIPTOR(
    "com.example.greeter.newer", "Greeter, newer minor", NP_THREADING_THREAD_SAFE, newer_interfaces, newer_layouts);
NP_REGISTER_PLUGIN(newer_plugin);

/* ---- com.example.greeter.other: also an interface no host registers ---- */
static void NP_CDECL other_must_not_be_called(void) { abort(); }

typedef struct acme_other_v1 {
    uint32_t struct_size;
    uint32_t reserved;
    void(NP_CDECL *poke)(void);
} acme_other_v1_t;

static const acme_other_v1_t other_vtable = {sizeof(acme_other_v1_t), 0, other_must_not_be_called};
static const np_interface_t other_interfaces[] = {{NP_STR_LIT("acme.other/1"), &other_vtable},
                                                  {NP_STR_LIT(ACME_GREETER_ID), &greeter_vtable}};
static const np_interface_layout_t other_layouts[] = {{0x4f544845525f4650ull /* "OTHER_FP" */, NULL},
                                                      {ACME_GREETER_V1_LAYOUT_FINGERPRINT, &greeter_layout_report}};
static const np_plugin_descriptor_t other_plugin = GREETER_DESCRIPTOR(
    "com.example.greeter.other", "Greeter and another", NP_THREADING_SINGLE, other_interfaces, other_layouts);
NP_REGISTER_PLUGIN(other_plugin);

/* ---- the deinit probe (rule H6: instances are destroyed before deinit) ---- */
static void greeter_deinit(void) {
    np_test_greeter_probe.deinit_runs++;
    np_test_greeter_probe.live_at_deinit = np_test_greeter_probe.creates - np_test_greeter_probe.destroys;
}
NP_LIBRARY_HOOK(greeter_probe_hook, NULL, greeter_deinit);
