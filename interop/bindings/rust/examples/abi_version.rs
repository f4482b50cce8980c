//! Prints the ABI version and layout fingerprint these bindings were generated for: what a library built on them
//! announces in `np_entry`. `cargo run --example abi_version`

fn main() {
    println!(
        "nplug-abi {}: ABI {}.{}, layout fingerprint {:#018x}",
        env!("CARGO_PKG_VERSION"),
        nplug_abi::NP_ABI_MAJOR,
        nplug_abi::NP_ABI_MINOR,
        nplug_abi::NP_LAYOUT_FINGERPRINT
    );
}
