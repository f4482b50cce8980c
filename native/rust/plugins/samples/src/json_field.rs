//! `org.nativeplugins.rust.json-field`: reads JSON-lines records and emits the value of one field as text.
//!
//! Config (`key=value;...`):
//! * `field=<path>` (required): a key, or a dotted path into nested objects and arrays (`user.address.city`,
//!   `items.0.id`).
//! * `on_error=fail|skip` (default `fail`): a record that is not valid JSON is `NP_ERR_INPUT` naming the record, or
//!   is skipped (the count is logged as a warning at flush).
//! * `missing=skip|empty|fail` (default `skip`): what to do when a valid record lacks the field: emit nothing, emit an
//!   empty record, or fail with `NP_ERR_INPUT`.
//!
//! Output: a string field is emitted decoded (escapes resolved, no quotes), written in place into the host's
//! buffer; any other value (number, `true`, `false`, `null`, object, array) as its exact JSON text.

use nplug_sdk::{Batch, Config, ConfigOption, Emitter, Error, Host, Plugin, PluginInfo, Schema, Transform};

use crate::json::{self, Segment, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OnError {
    Fail,
    Skip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Missing {
    Skip,
    Empty,
    Fail,
}

/// The plugin instance.
pub struct JsonField {
    host: Host,
    field: String,
    path: Vec<Segment>,
    on_error: OnError,
    missing: Missing,
    /// Index of the next record since the stream started (create or the last flush), for messages.
    stream_index: u64,
    skipped_malformed: u64,
}

impl Plugin for JsonField {
    const INFO: PluginInfo = PluginInfo::new("org.nativeplugins.rust.json-field", "JSON field", "0.1.0")
        .description("Extracts one field (a dotted path) from JSON-lines records and emits its value as text")
        .vendor("NativePlugins");
}

impl Transform for JsonField {
    fn create(host: &Host, config: &Config<'_>) -> Result<Self, Error> {
        const OPTIONS: Schema = Schema::new(&[
            ConfigOption::string("field").required().nonempty(),
            ConfigOption::choice("on_error", &["fail", "skip"]),
            ConfigOption::choice("missing", &["skip", "empty", "fail"]),
        ]);
        let options = OPTIONS.parse(config)?;
        let field = options.str("field").unwrap_or_default();
        let path = json::parse_path(field).map_err(|e| Error::config(format!("config key 'field': {e}")))?;
        let on_error = match options.choice("on_error") {
            Some("skip") => OnError::Skip,
            _ => OnError::Fail,
        };
        let missing = match options.choice("missing") {
            Some("empty") => Missing::Empty,
            Some("fail") => Missing::Fail,
            _ => Missing::Skip,
        };
        Ok(JsonField {
            host: *host,
            field: field.to_string(),
            path,
            on_error,
            missing,
            stream_index: 0,
            skipped_malformed: 0,
        })
    }

    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
        for (i, record) in batch.iter().enumerate() {
            let stream_index = self.stream_index;
            self.stream_index += 1;
            match json::find(record, &self.path) {
                Ok(Some(Value::String { raw, escaped: false })) => out.emit(raw)?,
                Ok(Some(Value::String { raw, escaped: true })) => {
                    // Decoding never makes a string longer: reserve raw.len() and decode straight into host memory.
                    let mut slot = out.record(raw.len())?;
                    let n = json::unescape(raw, slot.spare_capacity_mut());
                    // SAFETY: unescape initialised exactly n <= raw.len() bytes.
                    unsafe { slot.set_len(n) };
                    slot.commit();
                }
                Ok(Some(Value::Other(text))) => out.emit(text)?,
                Ok(None) => match self.missing {
                    Missing::Skip => {}
                    Missing::Empty => out.emit(b"")?,
                    Missing::Fail => {
                        return Err(Error::input(format!(
                            "record {i} of the batch (record {stream_index} of the stream): field '{}' not found",
                            self.field
                        )));
                    }
                },
                Err(e) => match self.on_error {
                    OnError::Skip => self.skipped_malformed += 1,
                    OnError::Fail => {
                        return Err(Error::input(format!(
                            "record {i} of the batch (record {stream_index} of the stream): {e}"
                        )));
                    }
                },
            }
        }
        Ok(())
    }

    fn flush(&mut self, _out: &mut Emitter<'_>) -> Result<(), Error> {
        if self.skipped_malformed > 0 {
            nplug_sdk::log_warn!(
                self.host,
                "json-field: skipped {} malformed records of {} in this stream (on_error=skip)",
                self.skipped_malformed,
                self.stream_index
            );
        }
        self.stream_index = 0;
        self.skipped_malformed = 0;
        Ok(())
    }
}
