//! [`Interface`]: one interface a plugin type implements, as `export_plugins!` puts it into the plugin's
//! descriptor: its id, its static vtable and its layout (`np_interface_t` and `np_interface_layout_t`).
//!
//! An interface is named by a marker type that implements `Interface<P>` for every plugin type `P` that implements
//! the interface's safe trait: [`TransformInterface`] for `np.transform/1` ([`Transform`]), and, for a header of your
//! own, the `<Trait>Interface` type `nplug bindgen` generates next to the trait (`AcmeGreeterV1Interface` for
//! `acme.greeter/1`). A plugin lists its markers in `export_plugins!`:
//!
//! ```ignore
//! nplug_sdk::export_plugins!(Upper, Greeter: [AcmeGreeterV1Interface], Both: [TransformInterface, AcmeGreeterV1Interface]);
//! ```

use std::ffi::c_void;

use nplug_abi::{NP_TRANSFORM_ID, np_interface_layout_t, np_transform_v1_t};

use crate::plugin::{Plugin, Transform};
use crate::transform::TransformGlue;

/// One interface as plugin `P` implements it.
///
/// # Safety
/// `VTABLE` is the vtable of interface `ID` exactly as its C header lays it out (starting with `uint32_t
/// struct_size` set to the size this implementation fills), static data of the library whose functions uphold the
/// interface's contract; `LAYOUT` describes that vtable: its fingerprint is the interface fingerprint of the minor
/// the vtable implements (interop/interfaces.md section 2) or 0, its report this compiler's layout of the structs
/// the fingerprint covers or NULL. A host trusts both when it calls the functions.
pub unsafe trait Interface<P: Plugin> {
    /// The interface id, `ns.name/revision` (checked at compile time by `export_plugins!`).
    const ID: &'static str;
    /// The vtable struct (`np_transform_v1_t`, `acme_greeter_v1_t`).
    type VTable: 'static;
    /// `P`'s vtable of the interface.
    const VTABLE: &'static Self::VTable;
    /// The interface's `np_interface_layout_t` (ABI 1.2): fingerprint and layout report of the structs the
    /// interface's header declares, for the host's load-time check (interop/interfaces.md section 3).
    const LAYOUT: np_interface_layout_t;

    /// `VTABLE` as the `const void *` of an `np_interface_t`.
    const VTABLE_PTR: *const c_void = Self::VTABLE as *const Self::VTable as *const c_void;
}

/// The `np.transform/1` interface: a plugin implementing [`Transform`] lists it in `export_plugins!` (a plugin
/// listed without interfaces, `export_plugins!(Upper)`, implements exactly this one).
pub struct TransformInterface;

// SAFETY: TransformGlue::VTABLE is the np_transform_v1_t of P, static data, filled with the SDK's glue.
unsafe impl<P: Transform> Interface<P> for TransformInterface {
    const ID: &'static str = NP_TRANSFORM_ID;
    type VTable = np_transform_v1_t;
    const VTABLE: &'static np_transform_v1_t = &TransformGlue::<P>::VTABLE;
    /// No layout of its own: np.transform/1 is part of the ABI (its structs are in the ABI's layout report, which
    /// `np_entry` hands over with the ABI's fingerprint), so fingerprint 0 and no report. A host then checks
    /// `struct_size` and the required functions, as for every interface.
    const LAYOUT: np_interface_layout_t = np_interface_layout_t { fingerprint: 0, report: std::ptr::null() };
}
