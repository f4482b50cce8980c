/*
 * greeter_broken.c - the deliberately broken acme.greeter/1 libraries (test only), one per GREETER_BROKEN value;
 * a host that registered acme.greeter/1 must refuse each one at load with the typed reason in brackets:
 *
 *   small          libnp_test_greeter_small.so           the vtable's struct_size is 8 [StructTooSmall]
 *   null_function  libnp_test_greeter_null_function.so   greet, a required function, is NULL [NullFunction]
 *   bad_layout     libnp_test_greeter_bad_layout.so      an unknown fingerprint; the report puts add at offset 40
 *                                                        (a field inserted before it) [LayoutMismatch]
 *   no_report      libnp_test_greeter_no_report.so       an unknown fingerprint and no report [LayoutMismatch]
 *   bad_report     libnp_test_greeter_bad_report.so      an unknown fingerprint, a malformed report [LayoutMismatch]
 *
 * A host that did not register the interface loads every one of them: it never reads the vtable.
 */
#include <nplug_sdk/np_sdk.h>

#include "greeter_layout.h"

#define GREETER_BROKEN_small 1
#define GREETER_BROKEN_null_function 2
#define GREETER_BROKEN_bad_layout 3
#define GREETER_BROKEN_no_report 4
#define GREETER_BROKEN_bad_report 5
#define GREETER_BROKEN_CASE_(what) GREETER_BROKEN_##what
#define GREETER_BROKEN_CASE(what) GREETER_BROKEN_CASE_(what)
#define BROKEN GREETER_BROKEN_CASE(GREETER_BROKEN)

static np_status NP_CDECL broken_create(const np_host_t *host, np_str_t config, acme_greeter_t **out_instance,
                                        np_error_t *error) {
    (void)host;
    (void)config;
    if (out_instance) *out_instance = NULL;
    return np_error_set(error, NP_ERR_PLUGIN, "a broken greeter must never be created");
}
static void NP_CDECL broken_destroy(acme_greeter_t *instance) { (void)instance; }
static __attribute__((unused)) np_status NP_CDECL broken_greet(acme_greeter_t *self, np_str_t name, np_out_bytes_t *out,
                                                               np_error_t *error) {
    (void)self;
    (void)name;
    (void)out;
    return np_error_set(error, NP_ERR_PLUGIN, "never called");
}
static np_status NP_CDECL broken_add(acme_greeter_t *self, int64_t a, int64_t b, int64_t *out_sum, np_error_t *error) {
    (void)self;
    (void)a;
    (void)b;
    (void)out_sum;
    return np_error_set(error, NP_ERR_PLUGIN, "never called");
}

#if BROKEN == GREETER_BROKEN_small
#define BROKEN_STRUCT_SIZE 8u
#else
#define BROKEN_STRUCT_SIZE ((uint32_t)sizeof(acme_greeter_v1_t))
#endif
#if BROKEN == GREETER_BROKEN_null_function
#define BROKEN_GREET NULL
#else
#define BROKEN_GREET broken_greet
#endif

static const acme_greeter_v1_t broken_vtable = {
    BROKEN_STRUCT_SIZE, 0, broken_create, broken_destroy, BROKEN_GREET, broken_add, NULL,
};

#if BROKEN == GREETER_BROKEN_bad_layout
/* What a library built from a changed header reports: a field inserted before add moved add and count by 8. */
static const np_layout_field_t bad_fields[] = {
    {GREETER_TEST_NAME("struct_size"), 0, 4}, {GREETER_TEST_NAME("reserved"), 4, 4},
    {GREETER_TEST_NAME("create"), 8, 8},      {GREETER_TEST_NAME("destroy"), 16, 8},
    {GREETER_TEST_NAME("greet"), 24, 8},      {GREETER_TEST_NAME("add"), 40, 8},
    {GREETER_TEST_NAME("count"), 48, 8},
};
static const np_layout_struct_t bad_structs[] = {
    {GREETER_TEST_NAME("acme_greeter_v1_t"), 56, 8, bad_fields, sizeof bad_fields / sizeof bad_fields[0]},
};
static const np_layout_report_t bad_report = {sizeof(np_layout_report_t), 0, bad_structs, 1};
#define BROKEN_LAYOUT                                                                                                  \
    { 0x0123456789abcdefull, &bad_report }
#elif BROKEN == GREETER_BROKEN_no_report
#define BROKEN_LAYOUT                                                                                                  \
    { 0x0123456789abcdefull, NULL }
#elif BROKEN == GREETER_BROKEN_bad_report
static const np_layout_report_t malformed_report = {sizeof(np_layout_report_t), 0, NULL, 5}; /* 5 structs at NULL */
#define BROKEN_LAYOUT                                                                                                  \
    { 0x0123456789abcdefull, &malformed_report }
#else
#define BROKEN_LAYOUT                                                                                                  \
    { ACME_GREETER_V1_LAYOUT_FINGERPRINT, NULL }
#endif

static const np_interface_t broken_interfaces[] = {{NP_STR_LIT(ACME_GREETER_ID), &broken_vtable}};
static const np_interface_layout_t broken_layouts[] = {BROKEN_LAYOUT};
static const np_plugin_descriptor_t broken_plugin = {
    sizeof(np_plugin_descriptor_t),
    NP_THREADING_SINGLE,
    NP_STR_LIT("com.example.greeter.broken"),
    NP_STR_LIT("Broken greeter"),
    NP_STR_LIT("1.0.0"),
    NP_STR_LIT("a deliberately broken acme.greeter/1"),
    NP_STR_LIT("NativePlugins"),
    broken_interfaces,
    1,
    broken_layouts,
};
NP_REGISTER_PLUGIN(broken_plugin);
