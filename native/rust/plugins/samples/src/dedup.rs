//! `org.nativeplugins.rust.dedup`: a stateful de-duplicator. Emits the first occurrence of each record and drops
//! later repeats; `flush` forgets everything (a new stream starts fresh).
//!
//! Config (`key=value;...`):
//! * `max_entries=<n>` (default 100000, 1 to 4294967295): how many distinct records are remembered. When full, the oldest
//!   remembered record is forgotten (FIFO), so memory stays bounded; a record seen again after being forgotten is
//!   emitted again.
//! * `ignore_case=true|false` (default false): compare records ignoring ASCII case (the first spelling is emitted).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use nplug_sdk::{Batch, Config, ConfigOption, Emitter, Error, Host, Plugin, PluginInfo, Schema, Transform};

const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// The plugin instance.
pub struct Dedup {
    /// Keys of the remembered records (the records, ASCII-lowercased when ignore_case).
    seen: HashSet<Arc<[u8]>>,
    /// The same keys, oldest first, for FIFO eviction.
    order: VecDeque<Arc<[u8]>>,
    max_entries: usize,
    ignore_case: bool,
    /// Reused buffer for lowercased keys.
    scratch: Vec<u8>,
}

impl Plugin for Dedup {
    const INFO: PluginInfo = PluginInfo::new("org.nativeplugins.rust.dedup", "Dedup", "0.1.0")
        .description("Emits the first occurrence of each record; forgets everything at flush")
        .vendor("NativePlugins");
}

impl Transform for Dedup {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self, Error> {
        const OPTIONS: Schema =
            Schema::new(&[ConfigOption::int("max_entries", 1, u32::MAX as u64), ConfigOption::flag("ignore_case")]);
        let options = OPTIONS.parse(config)?;
        let max_entries = options.int("max_entries").map_or(DEFAULT_MAX_ENTRIES, |n| n as usize);
        Ok(Dedup {
            seen: HashSet::new(),
            order: VecDeque::new(),
            max_entries,
            ignore_case: options.flag("ignore_case").unwrap_or(false),
            scratch: Vec::new(),
        })
    }

    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
        for record in batch {
            let key: &[u8] = if self.ignore_case {
                self.scratch.clear();
                self.scratch.extend(record.iter().map(u8::to_ascii_lowercase));
                &self.scratch
            } else {
                record
            };
            if self.seen.contains(key) {
                continue;
            }
            // Emit first: if the host cannot take it, the record is not remembered either, so a retry emits it.
            out.emit(record)?;
            let key: Arc<[u8]> = Arc::from(key);
            if self.order.len() == self.max_entries {
                if let Some(oldest) = self.order.pop_front() {
                    self.seen.remove(&oldest);
                }
            }
            self.seen.insert(Arc::clone(&key));
            self.order.push_back(key);
        }
        Ok(())
    }

    fn flush(&mut self, _out: &mut Emitter<'_>) -> Result<(), Error> {
        self.seen = HashSet::new();
        self.order = VecDeque::new();
        Ok(())
    }
}
