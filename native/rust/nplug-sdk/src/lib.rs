//! # nplug-sdk: write NativePlugins plugins in safe Rust
//!
//! A NativePlugins library is a `cdylib` exporting one function, `np_entry` (see `interop/README.md`). This crate
//! does all of the C ABI work; a plugin implements two traits and names itself in one macro (here `np.transform/1`;
//! an interface of your own works the same way with the trait `nplug bindgen` generates for it, see [`Interface`]
//! and interop/interfaces.md):
//!
//! ```no_run
//! use nplug_sdk::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Transform};
//!
//! pub struct Upper;
//! impl Plugin for Upper {
//!     const INFO: PluginInfo = PluginInfo::new("org.example.upper", "Upper", "1.0.0");
//! }
//! impl Transform for Upper {
//!     fn create(_host: &Host, config: &Config<'_>) -> Result<Self, Error> {
//!         config.options(&[])?; // no options: any key is NP_ERR_CONFIG naming it
//!         Ok(Upper)
//!     }
//!     fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
//!         for record in batch {
//!             out.emit(&record.to_ascii_uppercase())?;
//!         }
//!         Ok(())
//!     }
//! }
//! nplug_sdk::export_plugins!(Upper);
//! ```
//!
//! ## Interfaces of your own
//!
//! For a header of your own (interop/interfaces.md), `nplug bindgen` writes `rust/<module>.rs`: the `#[repr(C)]`
//! declarations and, per interface, a trait (`AcmeGreeterV1`, a [`Plugin`] with one typed method per function:
//! `&str` for text, `&[u8]` for bytes, [`OutBytes`] for a variable-size result, `Result<i64>` for an `out_*` integer)
//! and a marker type (`AcmeGreeterV1Interface`) implementing [`Interface`]. Include the file, implement the trait,
//! and list each plugin's interfaces; a plugin may implement any number of them, `np.transform/1`
//! ([`TransformInterface`]) among them, and a plugin listed without interfaces is a transform, as above:
//!
//! ```ignore
//! #[path = "../generated/rust/greeter.rs"]
//! mod greeter;
//! nplug_sdk::export_plugins!(Upper, Greeter: [greeter::AcmeGreeterV1Interface, nplug_sdk::TransformInterface]);
//! ```
//!
//! The generated glue is built from the public [`boundary`] helpers, which a function the typed wrappers do not
//! cover (a `RAW_*` const of the trait) uses too. tests/examples/greeter/rust is the complete example.
//!
//! What the SDK guarantees at the boundary (for every interface):
//! * `np_entry` negotiates exactly as rule P1 says and hands over the generated layout report;
//! * every exported function catches panics: `NP_ERR_PANIC` with the message, instance poisoned (P7);
//! * everything from the host is checked: NULLs, `struct_size`, UTF-8, batch offsets, emitter invariants (P6, H5);
//! * the emitter protocol is followed exactly (P10), and a failed `reserve` is the call's status;
//! * every failure carries a message, truncated at a UTF-8 boundary, never past the buffer (P5);
//! * `stats` (a `[leaf]`) is kept by the SDK with atomics: no lock, no allocation, no host call (P11).

#[cfg(panic = "abort")]
compile_error!(
    "nplug-sdk needs panic=unwind: with panic=abort a panic in a plugin kills the host process (rule P7). \
     Remove `panic = \"abort\"` from the profile."
);

mod args;
mod batch;
pub mod boundary;
pub mod bytes;
mod config;
mod emitter;
mod error;
mod host;
mod instance;
mod interface;
mod library;
mod out_bytes;
mod plugin;
mod state;
mod strings;
#[cfg(test)]
mod test_vectors;
mod transform;
mod validate;

pub mod testing;

/// The generated C ABI bindings this SDK is built on (crate `nplug-abi`, generated from the header).
pub use nplug_abi as abi;

pub use batch::{Batch, Records};
pub use boundary::{CaughtPanic, InstanceBox, OutBytes};
pub use config::{Config, ConfigOption, OptionKind, Options, Schema, Value, Values};
pub use emitter::{Emitter, RecordSlot};
pub use error::{Error, Result, status_name, truncate_utf8};
pub use host::{Extension, HOST_MAX_ALIGN, Host, HostBox, HostBuffer, LogLevel};
pub use interface::{Interface, TransformInterface};
pub use library::SDK;
pub use plugin::{Plugin, PluginInfo, StatefulTransform, Threading, Transform};
pub use state::StateInterface;
pub use strings::{StrError, np_str, str_from_np};
pub use validate::{is_valid_interface_id, is_valid_plugin_id, is_valid_semver};

/// Implementation details of the macros. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::library::{
        DescriptorPtr, LibraryDescriptor, entry, interface_entry, interface_layout, plugin_descriptor,
    };
    pub use crate::validate::{validate_interfaces, validate_plugins};
}

/// Exports a library of plugins: generates the static descriptors and the one exported function, `np_entry`.
///
/// Use it once per cdylib. Each plugin is a type, optionally followed by the interfaces it implements:
///
/// * `nplug_sdk::export_plugins!(JsonField, Dedup);`: plugins that implement [`Transform`] (`np.transform/1`);
/// * `nplug_sdk::export_plugins!(Greeter: [AcmeGreeterV1Interface], Both: [TransformInterface, AcmeGreeterV1Interface]);`:
///   each listed interface is an [`Interface`] marker (`TransformInterface`, or the `<Trait>Interface` type
///   `nplug bindgen` generates next to an interface's trait), in the order the descriptor lists them. The two forms
///   mix freely.
///
/// Each descriptor gets `interface_layouts` (ABI 1.2) parallel to its interfaces, from each interface's
/// [`Interface::LAYOUT`]; a plugin whose interfaces give no layout (only `np.transform/1`, which the ABI's own
/// fingerprint covers) gets NULL there.
///
/// Checked at compile time: the plugins' metadata against rule P2 (ids, versions, names, unique ids), that each
/// plugin lists at least one interface, every interface id is `ns.name/revision` and none twice for a plugin, and
/// that each plugin implements the trait of each interface it lists. A plugin id that is not reverse-DNS does not
/// compile:
///
/// ```compile_fail
/// # use nplug_sdk::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Transform};
/// struct Bad;
/// impl Plugin for Bad {
///     const INFO: PluginInfo = PluginInfo::new("Not A Reverse-DNS Id", "Bad", "1.0.0");
/// }
/// impl Transform for Bad {
///     fn create(_: &Host, _: &Config<'_>) -> Result<Self, Error> { Ok(Bad) }
///     fn process(&mut self, _: &Batch<'_>, _: &mut Emitter<'_>) -> Result<(), Error> { Ok(()) }
/// }
/// nplug_sdk::export_plugins!(Bad);
/// ```
///
/// Neither does a plugin listing an interface twice:
///
/// ```compile_fail
/// # use nplug_sdk::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Transform, TransformInterface};
/// struct Twice;
/// impl Plugin for Twice {
///     const INFO: PluginInfo = PluginInfo::new("org.example.twice", "Twice", "1.0.0");
/// }
/// impl Transform for Twice {
///     fn create(_: &Host, _: &Config<'_>) -> Result<Self, Error> { Ok(Twice) }
///     fn process(&mut self, _: &Batch<'_>, _: &mut Emitter<'_>) -> Result<(), Error> { Ok(()) }
/// }
/// nplug_sdk::export_plugins!(Twice: [TransformInterface, TransformInterface]);
/// ```
///
/// The same code with a valid id and the interface once compiles, in either form:
///
/// ```no_run
/// # use nplug_sdk::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Transform, TransformInterface};
/// struct Good;
/// impl Plugin for Good {
///     const INFO: PluginInfo = PluginInfo::new("org.example.good", "Good", "1.0.0");
/// }
/// impl Transform for Good {
///     fn create(_: &Host, _: &Config<'_>) -> Result<Self, Error> { Ok(Good) }
///     fn process(&mut self, _: &Batch<'_>, _: &mut Emitter<'_>) -> Result<(), Error> { Ok(()) }
/// }
/// # struct Other;
/// # impl Plugin for Other { const INFO: PluginInfo = PluginInfo::new("org.example.other", "Other", "1.0.0"); }
/// # impl Transform for Other {
/// #     fn create(_: &Host, _: &Config<'_>) -> Result<Self, Error> { Ok(Other) }
/// #     fn process(&mut self, _: &Batch<'_>, _: &mut Emitter<'_>) -> Result<(), Error> { Ok(()) }
/// # }
/// nplug_sdk::export_plugins!(Good, Other: [TransformInterface]);
/// ```
#[macro_export]
macro_rules! export_plugins {
    // Internal: the normalized list, one `(Plugin; Interface, ...)` group per plugin.
    (@emit $(($plugin:ty; $($interface:ty),+))+) => {
        const _: () = $crate::__private::validate_plugins(&[$(<$plugin as $crate::Plugin>::INFO),+]);
        $(
            const _: () = $crate::__private::validate_interfaces(
                &[$(<$interface as $crate::Interface<$plugin>>::ID),+]
            );
        )+

        /// The library's only export (np_entry.h), generated by `nplug_sdk::export_plugins!`.
        ///
        /// # Safety
        /// Called by a NativePlugins host with pointers valid for the call.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn np_entry(
            negotiation: *mut $crate::abi::np_negotiation_t,
            out_library: *mut *const $crate::abi::np_library_t,
        ) -> $crate::abi::np_status {
            static LIBRARY: $crate::__private::LibraryDescriptor = $crate::__private::LibraryDescriptor::new(&[$({
                const INTERFACES: &[$crate::abi::np_interface_t] =
                    &[$($crate::__private::interface_entry::<$plugin, $interface>()),+];
                const LAYOUTS: &[$crate::abi::np_interface_layout_t] =
                    &[$($crate::__private::interface_layout::<$plugin, $interface>()),+];
                const DESCRIPTOR: &$crate::abi::np_plugin_descriptor_t =
                    &$crate::__private::plugin_descriptor::<$plugin>(INTERFACES, LAYOUTS);
                $crate::__private::DescriptorPtr::new(DESCRIPTOR)
            }),+]);
            unsafe { $crate::__private::entry(negotiation, out_library, &LIBRARY) }
        }
    };
    // Internal: normalizes one plugin at a time; a plugin without a list implements np.transform/1.
    (@norm [$($done:tt)*]) => {
        $crate::export_plugins!(@emit $($done)*);
    };
    (@norm [$($done:tt)*] $plugin:ty : [$($interface:ty),+ $(,)?] $(, $($rest:tt)*)?) => {
        $crate::export_plugins!(@norm [$($done)* ($plugin; $($interface),+)] $($($rest)*)?);
    };
    (@norm [$($done:tt)*] $plugin:ty $(, $($rest:tt)*)?) => {
        $crate::export_plugins!(@norm [$($done)* ($plugin; $crate::TransformInterface)] $($($rest)*)?);
    };
    ($($plugins:tt)+) => {
        $crate::export_plugins!(@norm [] $($plugins)+);
    };
}

#[cfg(test)]
mod tests;
