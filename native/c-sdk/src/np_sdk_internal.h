/*
 * np_sdk_internal.h - what the SDK's own translation units share. Not for plugin authors.
 */
#ifndef NPLUG_SDK_INTERNAL_H
#define NPLUG_SDK_INTERNAL_H

#include <nplug_sdk/np_sdk.h>

/* The negotiation of rule P1 for this library (np_sdk_library.c); np_entry (np_sdk_entry.c) is just a call to
 * it. Kept apart so that a library that defines its own np_entry (a deliberately broken test fixture) simply
 * does not pull np_sdk_entry.o out of the archive. */
np_status np_sdk_negotiate(np_negotiation_t *negotiation, const np_library_t **out_library);

#endif /* NPLUG_SDK_INTERNAL_H */
