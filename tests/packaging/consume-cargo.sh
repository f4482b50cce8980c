#!/usr/bin/env bash
# A Rust plugin crate outside the repository that depends only on the staged crates (<stage>/crates, README.md):
# nplug-sdk by path, and nplug-abi - which the packaged nplug-sdk names by version, as from a registry - through
# [patch.crates-io]. That is the offline setup native/rust/nplug-sdk/README.md documents. Builds
# stage.rust-upper with `cargo build --release --offline`, checks it with the staged nplug, runs it through the
# installed nplug-c-host and copies it into <stage>/plugins.
# Usage: consume-cargo.sh <stage-dir>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: consume-cargo.sh <stage-dir>" >&2; exit 2; }
source "$(dirname "$0")/lib.sh" "$1"
work="$(np_consumer_dir cargo)"
trap 'rm -rf "$work"' EXIT
for crate in nplug-sdk nplug-abi; do
  [ -f "$np_crates/$crate/Cargo.toml" ] || { echo "consume-cargo: $np_crates/$crate is missing (run stage.sh first)" >&2; exit 1; }
done

mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "stage-rust-upper"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]   # the file hosts load: target/release/libstage_rust_upper.so

[dependencies]
nplug-sdk = { path = "$np_crates/nplug-sdk" }

# nplug-sdk depends on nplug-abi = "$np_version" (a registry dependency): take it from the stage instead.
[patch.crates-io]
nplug-abi = { path = "$np_crates/nplug-abi" }

# A panic must unwind so that the SDK can turn it into NP_ERR_PANIC at the boundary (nplug-sdk refuses abort).
[profile.release]
panic = "unwind"
TOML
cat > "$work/src/lib.rs" <<'RUST'
//! stage.rust-upper: upper-cases ASCII letters of every record (np.transform/1).
use nplug_sdk::{Batch, Config, Emitter, Error, Host, Plugin, PluginInfo, Transform};

pub struct Upper;

impl Plugin for Upper {
    const INFO: PluginInfo = PluginInfo::new("stage.rust-upper", "Stage upper (Rust)", "1.0.0");
}

impl Transform for Upper {
    fn create(_host: &Host, config: &Config<'_>) -> Result<Self, Error> {
        config.options(&[])?;
        Ok(Upper)
    }

    fn process(&mut self, batch: &Batch<'_>, out: &mut Emitter<'_>) -> Result<(), Error> {
        for record in batch {
            out.emit(&record.to_ascii_uppercase())?;
        }
        Ok(())
    }
}

nplug_sdk::export_plugins!(Upper);
RUST

np_step "cargo build --release --offline (stage.rust-upper)"
# The consumer's own target/ folder, whatever the calling environment sets.
(cd "$work" && env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR cargo build --release --offline --quiet) ||
  { echo "consume-cargo: cargo build failed in $work" >&2; exit 1; }
lib="$work/target/release/libstage_rust_upper.so"
[ -f "$lib" ] || { echo "consume-cargo: cargo did not write $lib" >&2; exit 1; }
grep -q "^name = \"nplug-abi\"" "$work/Cargo.lock" && ! grep -q '^source = ' "$work/Cargo.lock" ||
  { echo "consume-cargo: $work/Cargo.lock resolved a crate from a registry, not from the stage" >&2; exit 1; }

np_step "nplug check $(basename "$lib")"
np_nplug check "$lib"
got="$(printf 'hello\nstage\n' | "$np_prefix/bin/nplug-c-host" run --quiet "$lib:stage.rust-upper")"
[ "$got" = $'HELLO\nSTAGE' ] || { echo "consume-cargo: stage.rust-upper printed '$got', expected HELLO and STAGE" >&2; exit 1; }
cp "$lib" "$np_plugins/"
np_step "consume-cargo: ok ($np_plugins/$(basename "$lib"))"
