#!/usr/bin/env bash
# The acme.greeter/1 example (tests/examples/greeter) as a host author and three plugin authors outside this
# repository build it, from the stage only: a fresh folder holds the contract header and the hand-written sources;
# the staged nplug tool generates the bindings there (`nplug bindgen`); the C plugin builds with cc and
# `pkg-config nativeplugins`, the Rust one on the staged crates, the C# one on the NativePlugins.PluginSdk MSBuild SDK
# from the feed (NativeAOT and hosted), and the .NET host on the NativePlugins.Host package calls each plugin through
# the generated typed wrapper, in-process and with --isolate (the package's nplug-worker and the generated proxy,
# Greeter.Proxy.g.cs). The output must be the in-repository run's (expected-output.txt) both times.
# Its libraries implement acme.greeter/1 and stay out of <stage>/plugins (the host consumer runs transforms).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: consume-greeter.sh <stage-dir>" >&2; exit 2; }
source "$(dirname "$0")/lib.sh" "$1"
example="$np_repo/tests/examples/greeter"

work="$(np_consumer_dir greeter)"
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p include/acme c rust/src csharp host
cp "$example/include/acme/greeter.h" include/acme/
cp "$example/c/greeter.c" c/
cp "$example/rust/src/lib.rs" rust/src/
cp "$example/csharp/Greeter.cs" csharp/
cp "$example/host/Program.cs" host/
sed -i '/^#\[cfg(test)\]$/,/^mod tests;$/d' rust/src/lib.rs # the repository's tests stay in the repository
np_write_nuget_config "$work"

np_step "greeter: nplug bindgen (the staged tool carries the ABI headers)"
np_nplug bindgen include/acme/greeter.h --include include --csharp-namespace Acme.Greeter --rust-module greeter \
  --out generated >/dev/null

np_step "greeter: C plugin, cc + pkg-config nativeplugins"
export PKG_CONFIG_PATH="$np_prefix/lib/pkgconfig"
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -fPIC -shared -fvisibility=hidden -I include -I generated/c \
  c/greeter.c $(pkg-config --cflags --libs nativeplugins) -Wl,--no-undefined -o libgreeter_c.so

np_step "greeter: Rust plugin, cargo build --release --offline on the staged crates"
cat > rust/Cargo.toml <<TOML
[package]
name = "greeter-rust"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
name = "greeter_rust"
crate-type = ["cdylib"]

[dependencies]
nplug-abi = "$np_version"
nplug-sdk = { path = "$np_crates/nplug-sdk" }

[patch.crates-io]
nplug-abi = { path = "$np_crates/nplug-abi" }

[profile.release]
panic = "unwind"
TOML
(cd rust && env -u CARGO_TARGET_DIR -u CARGO_BUILD_TARGET_DIR cargo build --offline --release --quiet)

csproj_plugin() { # <mode>
  cat <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Sdk Name="NativePlugins.PluginSdk" Version="$np_version" />
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <AssemblyName>greeter_cs</AssemblyName>
    <NplugPluginMode>$1</NplugPluginMode>
  </PropertyGroup>
  <ItemGroup>
    <Compile Include="../generated/csharp/Greeter.g.cs" />
    <Compile Include="../generated/csharp/Greeter.Plugin.g.cs" />
  </ItemGroup>
</Project>
XML
}
csproj_plugin Aot > csharp/GreeterPlugin.csproj
for mode in Aot Hosted; do
  np_step "greeter: C# plugin ($mode), dotnet publish on the NativePlugins.PluginSdk SDK"
  (cd csharp && dotnet publish -c Release -nologo "-p:NplugPluginMode=$mode" -o "$work/csharp/out-$mode" \
    >"publish-$mode.log" 2>&1) || { cat "csharp/publish-$mode.log" >&2; exit 1; }
done

np_step "greeter: .NET host, the generated typed wrapper over the NativePlugins.Host package"
cat > host/GreeterHost.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="NativePlugins.Host" Version="$np_version" />
    <Compile Include="../generated/csharp/Greeter.g.cs" />
    <Compile Include="../generated/csharp/Greeter.Host.g.cs" />
    <Compile Include="../generated/csharp/Greeter.Proxy.g.cs" />
  </ItemGroup>
</Project>
XML
(cd host && dotnet build -c Release -v q -nologo >build.log 2>&1) || { cat host/build.log >&2; exit 1; }
# Plugin ids are unique per host: the hosted C# build answers in a host of its own, as in run.sh. Then the same
# libraries in worker processes (--isolate): the package's nplug-worker and the generated proxy must answer alike.
expected=$(cat "$example/expected-output.txt")
for mode in "" --isolate; do
  actual=$(dotnet host/bin/Release/net10.0/GreeterHost.dll $mode "$work/libgreeter_c.so" \
    "$work/rust/target/release/libgreeter_rust.so" "$work/csharp/out-Aot/libgreeter_cs.so" 2>&1)
  actual+=$'\n'$(dotnet host/bin/Release/net10.0/GreeterHost.dll $mode "$work/csharp/out-Hosted/libgreeter_cs.so" 2>&1)
  if [ "$actual" != "$expected" ]; then
    echo "consume-greeter: the host's output${mode:+ with $mode} differs from $example/expected-output.txt:" >&2
    diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") >&2 || true
    exit 1
  fi
done
np_step "greeter: bindgen, cc + pkg-config, cargo, dotnet publish (Aot, Hosted) and the host from the stage, in-process and isolated: output as expected"
