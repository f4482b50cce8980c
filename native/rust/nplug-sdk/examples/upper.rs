//! A complete np.transform/1 plugin: `org.example.upper` upper-cases ASCII letters of every record.
//!
//! ```text
//! cargo build --release --example upper      # -> target/release/examples/libupper.so
//! nplug check target/release/examples/libupper.so
//! printf 'hello\n' | nplug-c-host run --quiet target/release/examples/libupper.so:org.example.upper
//! ```
//!
//! A plugin crate of your own is this file as `src/lib.rs` with `crate-type = ["cdylib"]` (README.md).
//!
//! `process` works on the whole batch at once: its records are contiguous and upper-casing keeps their lengths, so
//! one vectorized pass ([`nplug_sdk::bytes::ascii_upper_into`], SSE2/AVX2) writes every record straight into the
//! host's buffer, and the offsets are the input's (no allocation, no per-record call).

use nplug_sdk::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Transform, bytes};

/// The plugin's instance: no state, so a unit struct.
pub struct Upper;

impl Plugin for Upper {
    const INFO: PluginInfo = PluginInfo::new("org.example.upper", "Upper", "1.0.0")
        .vendor("Example")
        .description("Upper-cases ASCII letters");
}

impl Transform for Upper {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self, Error> {
        // No options: any key given is NP_ERR_CONFIG, and the message names it.
        config.options(&[])?;
        Ok(Upper)
    }

    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
        out.emit_records_with(batch, 0..batch.len(), |src, dst| {
            bytes::ascii_upper_into(src, dst);
        })
    }
}

nplug_sdk::export_plugins!(Upper);
