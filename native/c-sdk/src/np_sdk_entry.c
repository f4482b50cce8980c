/*
 * np_sdk_entry.c - the one exported symbol of a library built with the C SDK.
 *
 * This file is its own member of the np_c_sdk archive on purpose: np_add_plugin() links with
 * `--undefined=np_entry`, so the linker takes this member only when no object of the library defines np_entry
 * itself. Plugin authors therefore write no entry at all; a test fixture that must misbehave during
 * negotiation defines its own and still uses the rest of the SDK.
 */
#include "np_sdk_internal.h"

NP_EXTERN_C NP_EXPORT np_status NP_CDECL np_entry(np_negotiation_t *negotiation, const np_library_t **out_library) {
    return np_sdk_negotiate(negotiation, out_library);
}
