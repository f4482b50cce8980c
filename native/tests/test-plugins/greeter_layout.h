/*
 * greeter_layout.h - the interface layout of acme.greeter/1 (tests/examples/greeter/include/acme/greeter.h) that the
 * test greeters hand to the host in np_plugin_descriptor_t.interface_layouts: its fingerprint per minor and a layout
 * report built from this compiler's offsets. The fingerprints are the ones `nplug bindgen` computes from the header
 * (the host tests check that they equal the registered contract's, so a drift fails there); the report is what
 * ACME_GREETER_V1_DEFINE_INTERFACE_LAYOUT of the generated c/greeter_layout.g.h defines.
 */
#ifndef NP_TEST_GREETER_LAYOUT_H
#define NP_TEST_GREETER_LAYOUT_H

#include <stddef.h>

#include <acme/greeter.h>

#define GREETER_TEST_FINGERPRINT_1_0 0xdfca81c522a540c1ull
#define GREETER_TEST_FINGERPRINT_1_1 0x9296be33c884492bull

#define GREETER_TEST_NAME(text)                                                                                        \
    { (const uint8_t *)(text), (uint64_t)(sizeof(text) - 1) }
#define GREETER_TEST_FIELD(type, field)                                                                                \
    { GREETER_TEST_NAME(#field), (uint32_t)offsetof(type, field), (uint32_t)sizeof(((type *)0)->field) }

#endif /* NP_TEST_GREETER_LAYOUT_H */
