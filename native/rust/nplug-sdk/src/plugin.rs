//! The safe traits a plugin author implements: [`Plugin`] (descriptor metadata) and [`Transform`] (np.transform/1).

use nplug_abi::{NP_THREADING_SINGLE, NP_THREADING_THREAD_SAFE};

use crate::batch::Batch;
use crate::config::Config;
use crate::emitter::Emitter;
use crate::error::Result;
use crate::host::Host;

/// The threading model of a plugin's instances (`np_plugin_descriptor_t.threading`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threading {
    /// `NP_THREADING_SINGLE`: the host serializes calls on an instance (the default). The SDK detects a host that
    /// breaks this (rule H4) and refuses the overlapping call with `NP_ERR_STATE` instead of racing.
    Single,
    /// `NP_THREADING_THREAD_SAFE`: calls on one instance may overlap. The SDK serializes them with a lock, so a
    /// `&mut self` plugin gives the results of some serial order (rule P9).
    ThreadSafe,
}

impl Threading {
    /// The ABI value.
    pub const fn as_raw(self) -> u32 {
        match self {
            Threading::Single => NP_THREADING_SINGLE,
            Threading::ThreadSafe => NP_THREADING_THREAD_SAFE,
        }
    }
}

/// A plugin's descriptor metadata. Checked at compile time by [`export_plugins!`](crate::export_plugins) against
/// rule P2 (reverse-DNS id, semantic version, non-empty name, ids unique in the library).
#[derive(Clone, Copy, Debug)]
pub struct PluginInfo {
    /// Reverse-DNS id, unique across everything a host loads: `"org.example.upper"`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Semantic version of the plugin: `"1.2.0"`.
    pub version: &'static str,
    /// One line about what it does; may be empty.
    pub description: &'static str,
    /// Who made it; may be empty.
    pub vendor: &'static str,
    /// Threading model of its instances.
    pub threading: Threading,
}

impl PluginInfo {
    /// Metadata with an empty description and vendor and [`Threading::Single`].
    pub const fn new(id: &'static str, name: &'static str, version: &'static str) -> Self {
        PluginInfo { id, name, version, description: "", vendor: "", threading: Threading::Single }
    }
    /// Sets the description.
    pub const fn description(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }
    /// Sets the vendor.
    pub const fn vendor(mut self, vendor: &'static str) -> Self {
        self.vendor = vendor;
        self
    }
    /// Sets the threading model.
    pub const fn threading(mut self, threading: Threading) -> Self {
        self.threading = threading;
        self
    }
}

/// A plugin: a type with descriptor metadata. Instances move between threads (one at a time), hence `Send`.
pub trait Plugin: Send + Sized + 'static {
    /// The descriptor metadata.
    const INFO: PluginInfo;
}

/// The `np.transform/1` interface: a stream of records in, a stream of records out.
///
/// Lifecycle: `create` → (`process`)* → `flush` → (`process`)* → `flush` … → drop (`destroy`).
/// The SDK does the ABI work around these methods: argument and UTF-8 checks, batch decoding, the emitter protocol,
/// the stats counters, error messages, panic containment and poisoning (rule P7).
pub trait Transform: Plugin {
    /// Creates an instance from its config (already checked to be UTF-8). A malformed config is
    /// [`Error::config`](crate::Error::config) naming the problem. `host` is valid until the instance is dropped
    /// and may be kept (it is `Copy`).
    fn create(host: &Host, config: &Config<'_>) -> Result<Self>;

    /// Processes a batch, appending output records to `out`. A failure leaves the instance usable; what was
    /// emitted before it stays emitted. Return the emitter's error when an emit fails (`?` does that).
    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<()>;

    /// End of stream: emit what is held back, then reset to the just-created state (a second flush in a row
    /// emits nothing). The default does nothing, right for a plugin that holds nothing back.
    fn flush(&mut self, out: &mut Emitter<'_>) -> Result<()> {
        let _ = out;
        Ok(())
    }
}

/// `np.state/1` (ABI 1.3) for a [`Transform`]: save the instance's whole state as bytes, restore it into a fresh
/// instance, so that a host's hot reload carries a count, a window or a held-back record over to the new version.
/// List [`StateInterface`](crate::StateInterface) after `TransformInterface` in `export_plugins!`:
///
/// ```ignore
/// nplug_sdk::export_plugins!(Counter: [TransformInterface, StateInterface]);
/// ```
///
/// The SDK refuses a restore into an instance with a stream open (`NP_ERR_STATE`), so `restore` always starts from
/// the just-created state; after a successful one the stream counts as open, so the next `flush` reaches yours.
/// Panics are caught and poison the instance (rule P7), as for every call.
pub trait StatefulTransform: Transform {
    /// Appends the whole state to `out`, leaving the instance unchanged. Put a format tag first: the blob may be
    /// restored by another version of the plugin.
    fn save(&self, out: &mut crate::OutBytes<'_>) -> Result<()>;

    /// Takes a state `save` wrote (borrowed for the call). Check it first: a blob this version does not understand
    /// is [`Error::input`](crate::Error::input) with a message, never a panic (rule P13). On an error the SDK drops
    /// nothing: leave `self` as it was.
    fn restore(&mut self, state: &[u8]) -> Result<()>;
}
