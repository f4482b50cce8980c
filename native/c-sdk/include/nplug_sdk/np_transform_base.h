/*
 * np_transform_base.h - write an np.transform/1 plugin as a few callbacks; the SDK does the rest.
 *
 *     typedef struct { np_sdk_instance_t base; uint64_t seen; } my_t;   // base first
 *
 *     static np_status my_process(np_sdk_instance_t *self, const np_batch_t *in, np_emitter_t *out,
 *                                 np_error_t *error) { ... }
 *
 *     static const np_sdk_transform_t my_impl = {
 *         .instance_size = sizeof(my_t), .process = my_process,
 *     };
 *     NP_TRANSFORM_PLUGIN(my_plugin, my_impl,
 *         .id = NP_STR_LIT("com.example.my"), .name = NP_STR_LIT("My plugin"), .version = NP_STR_LIT("1.0.0"));
 *
 * What the SDK's adapter (np_sdk_transform.c, in the np_c_sdk library) does around your callbacks:
 *   - create: checks the host table and out pointer, rejects a config that is not UTF-8 (NP_ERR_CONFIG),
 *     allocates your instance zeroed from the HOST allocator (so P4 accounting sees it), fills the base, calls
 *     your create (without one, any non-empty config is NP_ERR_CONFIG), frees everything again on failure.
 *   - process: checks the instance, the batch (offsets) and the emitter invariants (rules P6, H5), counts
 *     records/bytes in and out (so `stats`, a [leaf] @since 1.1 function, comes for free), and guarantees
 *     every failure carries a message (rule P5).
 *   - flush (rule P8): calls your flush (emit what you hold back) and then your reset, and marks the stream
 *     ended, so a second flush in a row emits nothing without reaching your code. A stream starts with the first
 *     process after create or flush; a flush with no process before it emits nothing. A failed flush leaves the
 *     stream open so the host can flush again.
 *   - destroy: valid in any state; calls your destroy, then frees the instance through the host.
 *   - a callback that returns NP_ERR_PANIC poisons the instance: later calls return NP_ERR_STATE (rule P7).
 *   - overlapping calls on one instance are refused with NP_ERR_STATE (instances are NP_THREADING_SINGLE,
 *     rule H4): the adapter is for single-threaded instances; write the descriptor by hand for THREAD_SAFE.
 *
 * State hand-over (np.state/1, ABI 1.3: hot reload carries an instance's state to its successor): give save and
 * restore, and declare the plugin with NP_STATEFUL_TRANSFORM_PLUGIN instead of NP_TRANSFORM_PLUGIN:
 *
 *     static np_status my_save(np_sdk_instance_t *self, np_out_bytes_t *out, np_error_t *error) {
 *         my_t *m = (my_t *)self;   // a format tag first, so that a later version can tell
 *         np_status st = np_out_write(out, "my1", 3, error);
 *         return st == NP_OK ? np_out_write(out, &m->seen, sizeof m->seen, error) : st;
 *     }
 *     static np_status my_restore(np_sdk_instance_t *self, np_bytes_t state, np_error_t *error) {
 *         if (state.len != 3 + 8 || memcmp(state.ptr, "my1", 3) != 0)
 *             return np_error_set(error, NP_ERR_INPUT, "not a state of this plugin (%llu bytes)", ...);
 *         memcpy(&((my_t *)self)->seen, state.ptr + 3, 8);
 *         return NP_OK;
 *     }
 *     static const np_sdk_transform_t my_impl = {..., .save = my_save, .restore = my_restore};
 *     NP_STATEFUL_TRANSFORM_PLUGIN(my_plugin, my_impl, .id = ..., .name = ..., .version = ...);
 *
 * What the adapter adds (np_sdk_state_save/np_sdk_state_restore): the instance, poisoning (P7) and overlap (H4)
 * checks, np_out_bytes_t checked before your save runs, a message for every failure (P5); restore runs only on
 * an instance with no stream open (right after create or a flush: NP_ERR_STATE otherwise), so your restore always
 * starts from the just-created state; a failed restore calls your reset, so the instance is just-created again;
 * a successful one opens the stream, so the next flush reaches your flush (what the saved instance held back).
 */
#ifndef NPLUG_SDK_TRANSFORM_BASE_H
#define NPLUG_SDK_TRANSFORM_BASE_H

#include "np_register.h"

NP_SDK_BEGIN_DECLS

typedef struct np_sdk_instance np_sdk_instance_t;

/* Your callbacks. Only process is required. */
typedef struct np_sdk_transform {
    /* sizeof your instance struct, whose first member is np_sdk_instance_t; 0 means the base only. */
    uint64_t instance_size;
    /* Parse config (UTF-8, borrowed for the call) and set up the rest of your struct (zeroed, base filled).
     * On failure return a status with a message; destroy is then called to release what you set up. */
    np_status (*create)(np_sdk_instance_t *self, np_str_t config, np_error_t *error);
    /* Process a batch (already checked) into out. */
    np_status (*process)(np_sdk_instance_t *self, const np_batch_t *batch, np_emitter_t *out, np_error_t *error);
    /* Emit what you hold back at the end of a stream. Optional. */
    np_status (*flush)(np_sdk_instance_t *self, np_emitter_t *out, np_error_t *error);
    /* Return to the just-created stream state (called after a successful flush). Optional. */
    void (*reset)(np_sdk_instance_t *self);
    /* Release what create allocated (the instance memory itself is the SDK's). Optional. */
    void (*destroy)(np_sdk_instance_t *self);
    /* np.state/1: append your whole state to out (np_out.h), leaving the instance unchanged. Optional, with
     * restore; used only by NP_STATEFUL_TRANSFORM_PLUGIN / NP_STATE_VTABLE. */
    np_status (*save)(np_sdk_instance_t *self, np_out_bytes_t *out, np_error_t *error);
    /* np.state/1: take the state a save wrote (state is borrowed for the call: copy what you keep). Check it
     * first: a blob you do not understand is NP_ERR_INPUT with a message, never a crash (rule P13). */
    np_status (*restore)(np_sdk_instance_t *self, np_bytes_t state, np_error_t *error);
} np_sdk_transform_t;

/* The base every instance starts with. Read host/descriptor freely; the rest is the adapter's. */
struct np_sdk_instance {
    const np_host_t *host;                    /* this instance's host table, valid until destroy returns */
    const np_plugin_descriptor_t *descriptor; /* the plugin, for messages */
    const np_sdk_transform_t *impl;
    uint64_t instance_size; /* bytes allocated for the instance */
    uint64_t records_in, records_out, bytes_in, bytes_out;
    uint32_t stream_open; /* a process call happened since create or the last successful flush */
    uint32_t poisoned;    /* a callback returned NP_ERR_PANIC */
    uint32_t busy;        /* a call is running (guards NP_THREADING_SINGLE) */
    uint32_t reserved_;
};

/* The adapter (np_c_sdk library). */
np_status np_sdk_transform_create(const np_sdk_transform_t *impl, const np_plugin_descriptor_t *descriptor,
                                  const np_host_t *host, np_str_t config, np_instance_t **out_instance,
                                  np_error_t *error);
void np_sdk_transform_destroy(np_instance_t *instance);
np_status np_sdk_transform_process(np_instance_t *instance, const np_batch_t *batch, np_emitter_t *out,
                                   np_error_t *error);
np_status np_sdk_transform_flush(np_instance_t *instance, np_emitter_t *out, np_error_t *error);
np_status np_sdk_transform_stats(np_instance_t *instance, np_transform_stats_t *out_stats);
/* The np.state/1 adapter for instances np_sdk_transform_create made; their impl's save/restore must be set. */
np_status np_sdk_state_save(void *instance, np_out_bytes_t *out, np_error_t *error);
np_status np_sdk_state_restore(void *instance, np_bytes_t state, np_error_t *error);

NP_SDK_END_DECLS

/* Define `name`, the np.transform/1 vtable of `impl` for the plugin whose descriptor is the static variable
 * `descriptor` (declare it before this macro and define it after). For a plugin that lists several interfaces
 * (np.transform/1 next to an interface of your own) and so writes its descriptor by hand:
 *
 *     static const np_plugin_descriptor_t my_plugin;
 *     NP_TRANSFORM_VTABLE(my_transform, my_impl, my_plugin);
 *     static const np_interface_t my_interfaces[] = {{NP_STR_LIT(NP_TRANSFORM_ID), &my_transform},
 *                                                    {NP_STR_LIT(ACME_GREETER_ID), &my_greeter_vtable}};
 *
 * np.transform/1's entry in interface_layouts may be {0, NULL}: the ABI fingerprint covers its structs. */
#define NP_TRANSFORM_VTABLE(name, impl, descriptor)                                                                    \
    static np_status NP_CDECL name##_np_create(const np_host_t *host, np_str_t config, np_instance_t **out_instance,   \
                                               np_error_t *error) {                                                    \
        return np_sdk_transform_create(&(impl), &(descriptor), host, config, out_instance, error);                     \
    }                                                                                                                  \
    static const np_transform_v1_t name = {                                                                            \
        sizeof(np_transform_v1_t), 0,                                                                                  \
        name##_np_create,          np_sdk_transform_destroy,                                                           \
        np_sdk_transform_process,  np_sdk_transform_flush,                                                             \
        np_sdk_transform_stats,                                                                                        \
    }

/* Declare and register a transform plugin: `name` is a fresh identifier, `impl` your np_sdk_transform_t
 * variable, the rest a designated initializer of np_plugin_descriptor_t's text fields (.id, .name, .version
 * required; .description, .vendor optional). The threading model is NP_THREADING_SINGLE. */
#define NP_TRANSFORM_PLUGIN(name, impl, ...)                                                                           \
    static const np_plugin_descriptor_t name;                                                                          \
    NP_TRANSFORM_VTABLE(name##_np_vtable, impl, name);                                                                 \
    static const np_interface_t name##_np_interfaces[] = {{NP_STR_LIT(NP_TRANSFORM_ID), &name##_np_vtable}};           \
    static const np_plugin_descriptor_t name = {.struct_size = sizeof(np_plugin_descriptor_t),                         \
                                                .interfaces = name##_np_interfaces,                                    \
                                                .interface_count = 1,                                                  \
                                                __VA_ARGS__};                                                          \
    NP_REGISTER_PLUGIN(name)

/* Define `name`, the np.state/1 vtable (np_state_v1_t) that saves and restores the instances of a transform made
 * by NP_TRANSFORM_VTABLE, through its impl's save and restore. List it next to the transform:
 *     {NP_STR_LIT(NP_STATE_ID), &my_state}. */
#define NP_STATE_VTABLE(name)                                                                                          \
    static const np_state_v1_t name = {sizeof(np_state_v1_t), 0, np_sdk_state_save, np_sdk_state_restore}

/* NP_TRANSFORM_PLUGIN for a transform with save and restore: the plugin lists np.transform/1 and np.state/1. */
#define NP_STATEFUL_TRANSFORM_PLUGIN(name, impl, ...)                                                                  \
    static const np_plugin_descriptor_t name;                                                                          \
    NP_TRANSFORM_VTABLE(name##_np_vtable, impl, name);                                                                 \
    NP_STATE_VTABLE(name##_np_state);                                                                                  \
    static const np_interface_t name##_np_interfaces[] = {{NP_STR_LIT(NP_TRANSFORM_ID), &name##_np_vtable},            \
                                                          {NP_STR_LIT(NP_STATE_ID), &name##_np_state}};                \
    static const np_plugin_descriptor_t name = {.struct_size = sizeof(np_plugin_descriptor_t),                         \
                                                .interfaces = name##_np_interfaces,                                    \
                                                .interface_count = 2,                                                  \
                                                __VA_ARGS__};                                                          \
    NP_REGISTER_PLUGIN(name)

#endif /* NPLUG_SDK_TRANSFORM_BASE_H */
