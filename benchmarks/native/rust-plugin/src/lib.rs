//! `libnp_bench_rust.so`: `org.nativeplugins.bench.rust.copy`, the benchmarks' "copy every record" transform written
//! with the Rust SDK. Same logic as the C, C SDK and C# benchmark plugins, so per-language call costs compare the
//! SDKs and runtimes, not the work: like the C plugins it copies the batch as one block (`Emitter::emit_records`: one
//! room check, one copy, the offsets shifted), no per-record work.

use nplug_sdk::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Transform};

/// The plugin instance: no state.
pub struct Copy;

impl Plugin for Copy {
    const INFO: PluginInfo = PluginInfo::new("org.nativeplugins.bench.rust.copy", "Bench copy (Rust)", "1.0.0")
        .description("copies every record; benchmark-only")
        .vendor("NativePlugins benchmarks");
}

impl Transform for Copy {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self, Error> {
        config.options(&[])?; // no options: any key is NP_ERR_CONFIG
        Ok(Copy)
    }

    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
        out.emit_records(batch, 0..batch.len())
    }
}

nplug_sdk::export_plugins!(Copy);
