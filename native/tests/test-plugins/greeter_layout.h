/*
 * greeter_layout.h - what the acme.greeter/1 test libraries need besides the interface's generated layout header
 * (tests/examples/greeter/generated/c/greeter_layout.g.h, `nplug bindgen` output): helpers to spell the layout
 * reports of the variants that pretend to come from another header (a newer minor, a changed field order).
 */
#ifndef NP_TEST_GREETER_LAYOUT_H
#define NP_TEST_GREETER_LAYOUT_H

#include <stddef.h>

#include "greeter_layout.g.h"

#define GREETER_TEST_NAME(text)                                                                                        \
    { (const uint8_t *)(text), (uint64_t)(sizeof(text) - 1) }
#define GREETER_TEST_FIELD(type, field)                                                                                \
    { GREETER_TEST_NAME(#field), (uint32_t)offsetof(type, field), (uint32_t)sizeof(((type *)0)->field) }

#endif /* NP_TEST_GREETER_LAYOUT_H */
