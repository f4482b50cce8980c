//! `libnp_rust_samples.so`: the sample Rust plugins, two plugins in one library.
//!
//! * `org.nativeplugins.rust.json-field` ([`json_field::JsonField`]): extracts a field from JSON-lines records.
//! * `org.nativeplugins.rust.dedup` ([`dedup::Dedup`]): emits the first occurrence of each record.

pub mod dedup;
pub mod json;
pub mod json_field;

nplug_sdk::export_plugins!(json_field::JsonField, dedup::Dedup);

#[cfg(test)]
mod tests;
