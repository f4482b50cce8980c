//! The layout conformance test (`cargo test --test layout`). Its body is generated (`layout.g.rs`, by
//! interop/generator from the layout manifest) and checked byte for byte by interop/generator/check.sh; this
//! hand-written wrapper only includes it, so that formatting and lint policy are decided here, never in the .g.rs:
//! * `#[rustfmt::skip]`: cargo fmt does not reformat the generated tables (the generator owns their layout);
//! * `clippy::type_complexity`: the generated `report()` returns the manifest's nested tuple shape on purpose.

#[rustfmt::skip]
#[allow(clippy::type_complexity)]
#[path = "layout.g.rs"]
mod generated;
