/*
 * np_register.h - declaring plugins without a central list.
 *
 *     static const np_plugin_descriptor_t my_plugin = { ... };
 *     NP_REGISTER_PLUGIN(my_plugin);
 *
 * Any .c file of a library may register plugins; the SDK's np_entry hands all of them to the host, in link
 * order. (NP_TRANSFORM_PLUGIN in np_transform_base.h registers for you; use this macro directly for a plugin
 * whose descriptor you write by hand, e.g. one with several interfaces.)
 *
 * Mechanism - why a linker section:
 *   Each registration is a `const np_plugin_descriptor_t *` placed in the ELF section `np_plugins`. The linker
 *   concatenates that section from every object of the library and defines __start_np_plugins and
 *   __stop_np_plugins around it, so the section IS the array np_library_t.plugins points at: no list to edit,
 *   no code runs at load to build it, no global mutable registry (rule P3: np_entry is pure, rule P9: no
 *   unsynchronized global state), and a library with a single plugin is simply a section of one pointer.
 *   The alternative, constructor functions appending to a linked list, runs code at dlopen, needs the list to
 *   be mutable, and breaks when two hosts race. The section is per shared object: every plugin library has
 *   its own, even when several are loaded into one process. `used` (and `retain` where the compiler has it)
 *   keeps the entries alive under -ffunction-sections/--gc-sections and LTO.
 *   Portability: this is the ELF mechanism (GNU ld, gold, lld on Linux and the BSDs). Mach-O would use
 *   section("__DATA,np_plugins") with section$start/section$end, MSVC grouped sections ".np$a/.np$m/.np$z";
 *   only ELF is built here.
 */
#ifndef NPLUG_SDK_REGISTER_H
#define NPLUG_SDK_REGISTER_H

#include "np_sdk_common.h"

#if !defined(__ELF__)
#error "nplug-c registers plugins in an ELF section; this target is not ELF"
#endif

#if defined(__has_attribute)
#if __has_attribute(retain)
#define NP_SDK_RETAIN_ retain,
#endif
#endif
#ifndef NP_SDK_RETAIN_
#define NP_SDK_RETAIN_
#endif

/* The attributes of one entry of the np_plugins section. */
#define NP_SDK_PLUGIN_SECTION_ENTRY __attribute__((NP_SDK_RETAIN_ used, section("np_plugins"), aligned(sizeof(void *))))

/* Every registration also references np_entry. A linker takes a member out of a static archive only to resolve an
 * undefined symbol, and nothing else in a plugin names np_entry: without this reference a plain
 * `cc -shared plugin.c libnp_c_sdk.a` link would silently produce a library with no np_entry at all (np_add_plugin
 * and nativeplugins.pc also pass --undefined=np_entry; this makes every other way of linking right too). A library
 * that defines its own np_entry keeps it: the linker resolves the reference against the library's own objects
 * before it looks into the archive, so the SDK's member is not taken. `used` keeps the reference in the object. */
#define NP_SDK_ENTRY_REFERENCE_(descriptor)                                                                            \
    __attribute__((used)) static const np_entry_fn descriptor##_np_entry_ref = np_entry

/* Register the plugin whose descriptor is the static variable `descriptor` (an identifier). */
#define NP_REGISTER_PLUGIN(descriptor)                                                                                 \
    NP_SDK_ENTRY_REFERENCE_(descriptor);                                                                               \
    NP_SDK_PLUGIN_SECTION_ENTRY static const np_plugin_descriptor_t *const descriptor##_np_registration = &(descriptor)

/* Library lifecycle hooks (optional). init runs when the library's init count goes 0 -> 1, deinit when it goes
 * 1 -> 0 (hosts may init the same library more than once: the SDK ref-counts). If an init hook fails, the deinit
 * hooks of the hooks that already ran are called in reverse order and the host's init fails with its status. */
typedef struct np_sdk_library_hook {
    np_status (*init)(const np_host_t *host, np_error_t *error);
    void (*deinit)(void);
} np_sdk_library_hook_t;

#define NP_SDK_HOOK_SECTION_ENTRY                                                                                      \
    __attribute__((NP_SDK_RETAIN_ used, section("np_library_hooks"), aligned(sizeof(void *))))

/* NP_LIBRARY_HOOK(name, init_fn, deinit_fn): either function may be NULL. */
#define NP_LIBRARY_HOOK(name, init_fn, deinit_fn)                                                                      \
    static const np_sdk_library_hook_t name##_np_hook = {init_fn, deinit_fn};                                          \
    NP_SDK_HOOK_SECTION_ENTRY static const np_sdk_library_hook_t *const name##_np_hook_registration = &name##_np_hook

#endif /* NPLUG_SDK_REGISTER_H */
