/*
 * ext/np_state.h - the interface "np.state/1": save an instance's state into bytes, restore it into another
 * instance of the same plugin (ABI 1.3).
 *
 * What it is for: hot reload. When a host replaces a library by a new version, it creates a successor for each
 * running instance; when both versions offer np.state/1, the host saves the old instance after its last call and
 * restores the bytes into the successor before its first call, so a counter, a window or a pending line carries
 * over instead of being flushed into the stream. A host may also use it on its own (checkpoints), and a plugin
 * that has no state worth carrying simply does not offer it.
 *
 * Where a host finds it: as one more entry of np_plugin_descriptor_t.interfaces, id NP_STATE_ID, next to the
 * interface whose instances it saves (np.transform/1, or any interface whose create returns an instance handle).
 * It is a separate interface rather than functions appended to np_transform_v1_t so that it serves every
 * interface's instances alike, is found by id (never by an offset a host has to guess), and costs a plugin
 * without state nothing. A host uses it only when the agreed ABI minor is 3 or more; a 1.2 host lists it as an
 * interface it does not know and never calls it.
 *
 * The blob: its format, and a version or format tag inside it, are the plugin's own business. The host never
 * looks inside; it moves the bytes from save to restore (possibly between two versions of the plugin, or two
 * processes). A plugin MUST check a blob before it uses it: a blob it does not understand (another format, a
 * version it cannot read, truncated, garbage) is refused with NP_ERR_INPUT and a message saying why, and leaves
 * the instance as it was. It never crashes on one (rule P13).
 */
#ifndef NP_EXT_STATE_H
#define NP_EXT_STATE_H

#include "../np_types.h"

/* The interface id: find this vtable in np_plugin_descriptor_t.interfaces by this id. */
#define NP_STATE_ID "np.state/1"

/* ---- The vtable ---------------------------------------------------------------------------------
 * instance is a handle the same plugin's other interface returned from its create (np_transform_v1_t.create's
 * np_instance_t*, or a bindgen interface's @create handle), still alive (not destroyed). A plugin with several
 * instance-making interfaces tells their handles apart itself, and refuses one it cannot save with
 * NP_ERR_UNSUPPORTED. Thread tag [instance]: the call belongs to that instance and never overlaps another call on
 * it (unless the plugin is NP_THREADING_THREAD_SAFE), exactly like the instance's own calls. @since 1.3 */
typedef struct np_state_v1 {
    uint32_t struct_size;      /* sizeof(np_state_v1_t) as the plugin was compiled */
    uint32_t reserved;         /* must be 0 */

    /* [instance] Append the instance's whole state (what it holds back, what it counts, what it remembers) to
     * out, the caller-owned np_out_bytes_t (np_types.h: append, reserve when more room is needed, return once;
     * a fixed buffer that is too small is NP_ERR_OUT_OF_MEMORY naming the size needed). Does not change the
     * instance: it keeps running as if save had not been called. An instance with nothing to save appends
     * nothing and returns NP_OK (an empty blob is a valid blob). Never NULL. */
    np_status (NP_CDECL *save)(void *instance, np_out_bytes_t *out, np_error_t *error);

    /* [instance] Replace the instance's state with one that save produced, from this or another instance of the
     * same plugin (another version of it included). state is host-owned and valid for the call only: the plugin
     * copies what it keeps. On success the instance continues exactly where the saved one stood: its stream is
     * open when the saved one's was (its next flush emits what the saved one held back). On a blob it does not
     * understand it returns NP_ERR_INPUT (NP_ERR_UNSUPPORTED for a format it knows but no longer reads) with a
     * message, and the instance keeps the state it had. A host calls restore right after create, before the
     * instance's first call; a plugin may refuse a restore into an instance with a stream open (NP_ERR_STATE).
     * Never NULL. */
    np_status (NP_CDECL *restore)(void *instance, np_bytes_t state, np_error_t *error);
} np_state_v1_t;

#endif /* NP_EXT_STATE_H */
