//! `com.example.greeter.rust`: the example interface `acme.greeter/1` implemented in Rust, next to `np.transform/1`
//! in the same plugin (interop/interfaces.md section 5).
//!
//! What it takes: the bindings `nplug bindgen` generated from `include/acme/greeter.h` (`../generated/rust/greeter.rs`,
//! included below: the `#[repr(C)]` declarations, the trait [`greeter::AcmeGreeterV1`] and its glue), one
//! implementation of the trait, and the plugin's interfaces listed in `export_plugins!`. Everything at the C
//! boundary (argument checks, `np_out_bytes_t` growth, errors, panics, poisoning) is the SDK's.
//!
//! Config: `greeting=<text>` (default `Hello`). The transform greets each record: `world` becomes `Hello, world!`.

use nplug_sdk::{Batch, Config, ConfigOption, Emitter, Error, Host, OutBytes, Plugin, PluginInfo, Result, Schema};
use nplug_sdk::{Transform, TransformInterface};

/// The generated bindings of acme.greeter/1 (`nplug bindgen`, the command is in the file's banner).
#[path = "../../generated/rust/greeter.rs"]
pub mod greeter;

use greeter::{AcmeGreeterV1, AcmeGreeterV1Interface};

/// The plugin's options, shared by both interfaces' `create`.
const OPTIONS: Schema = Schema::new(&[ConfigOption::string("greeting").nonempty()]);

/// Greets by name, adds numbers, counts greetings (per instance).
pub struct Greeter {
    greeting: String,
    greetings: u64,
}

impl Greeter {
    fn from_config(config: &Config<'_>) -> Result<Self> {
        let values = OPTIONS.parse(config)?;
        Ok(Greeter { greeting: values.str("greeting").unwrap_or("Hello").to_string(), greetings: 0 })
    }

    /// Appends "<greeting>, <name>!" (no intermediate string).
    fn write_greeting(&mut self, name: &[u8], out: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        out(self.greeting.as_bytes())?;
        out(b", ")?;
        out(name)?;
        out(b"!")?;
        self.greetings += 1;
        Ok(())
    }
}

impl Plugin for Greeter {
    const INFO: PluginInfo = PluginInfo::new("com.example.greeter.rust", "Greeter (Rust)", "1.0.0")
        .description("acme.greeter/1 and np.transform/1: greets by name")
        .vendor("NativePlugins examples");
}

impl AcmeGreeterV1 for Greeter {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self> {
        Greeter::from_config(config)
    }

    fn greet(&mut self, name: &str, out: &mut OutBytes<'_>) -> Result<()> {
        self.write_greeting(name.as_bytes(), &mut |part| out.write(part))
    }

    fn add(&mut self, a: i64, b: i64) -> Result<i64> {
        a.checked_add(b).ok_or_else(|| Error::input(format!("{a} + {b} overflows int64_t")))
    }

    const HAS_COUNT: bool = true;
    fn count(&self) -> u64 {
        self.greetings
    }
}

impl Transform for Greeter {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self> {
        Greeter::from_config(config)
    }

    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<()> {
        for record in batch {
            let greeting = self.greeting.len() + 2 + record.len() + 1;
            let mut slot = out.record(greeting)?;
            self.write_greeting(record, &mut |part| slot.push(part))?;
            slot.commit();
        }
        Ok(())
    }
}

nplug_sdk::export_plugins!(Greeter: [AcmeGreeterV1Interface, TransformInterface]);

#[cfg(test)]
mod tests;
