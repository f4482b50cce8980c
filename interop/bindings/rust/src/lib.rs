//! `nplug-abi`: the NativePlugins C ABI in Rust, generated from `interop/include/nplug` by `interop/generator`.
//!
//! Every item keeps its C name (`np_library_t`, `NP_ERR_CONFIG`, ...), structs are `#[repr(C)]`, function
//! pointers are `Option<unsafe extern "C" fn(..)>` (`None` is NULL). `layout_report()` is this compiler's layout of
//! every struct, for `np_negotiation_t.layout_report`. Nothing here is written by hand except this file: change
//! the header and regenerate (`dotnet run --project interop/generator -- --write`).
#![no_std]
// The generated items keep their C names; and the header's doc comments, copied verbatim, continue list items
// without the indentation Markdown-aware clippy wants. Allowed here, for the generated code this file includes.
#![allow(non_camel_case_types, non_upper_case_globals, non_snake_case, clippy::doc_lazy_continuation)]

include!("bindings.g.rs");
include!("layout.g.rs");
