#!/usr/bin/env bash
# The example as a host author and three plugin authors outside this repository would build it (tests/run-all.sh
# runs this): a fresh folder holds only the contract header and the hand-written sources; `nplug bindgen` (the built
# CLI, which carries the ABI headers) generates the bindings there; each plugin builds with its own ecosystem's
# command against what a user gets from this repository by path (the C SDK's headers and static library, the
# nplug-sdk/nplug-abi crates as path dependencies, the C# SDK's NativePlugin.targets, the .NET host project); the
# host calls every plugin through the generated typed wrapper. Nothing here reads the repository's MSBuild
# properties or its CMake project. Packages replace the paths with issue 13.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
build="${NPLUG_BUILD_DIR:-$repo/build/native}"
nplug="$repo/src/NativePlugins.Cli/bin/Release/net10.0/nplug.dll"
[ -f "$nplug" ] || { echo "outside.sh: $nplug is not built" >&2; exit 1; }
sdk_lib="$build/native/c-sdk/libnp_c_sdk.a"
[ -f "$sdk_lib" ] || { echo "outside.sh: $sdk_lib is not built" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/nplug-greeter-user.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p include/acme c rust/src csharp host
cp "$here/include/acme/greeter.h" include/acme/
cp "$here/c/greeter.c" c/
cp "$here/rust/src/lib.rs" rust/src/
cp "$here/csharp/Greeter.cs" csharp/
cp "$here/host/Program.cs" host/
step() { printf '  outside: %s\n' "$*"; }

step "nplug bindgen"
dotnet "$nplug" bindgen include/acme/greeter.h --include include --csharp-namespace Acme.Greeter --rust-module greeter \
  --out generated >/dev/null

step "C plugin: cc + the C SDK's static library"
cc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -fPIC -shared -fvisibility=hidden \
  -I "$repo/interop/include" -I "$repo/native/c-sdk/include" -I include -I generated/c \
  c/greeter.c "$sdk_lib" -Wl,--undefined=np_entry -Wl,--no-undefined -o libgreeter_c.so

step "Rust plugin: cargo build --offline (path dependencies on nplug-sdk and nplug-abi)"
edition=$(sed -n 's/^edition = "\(.*\)"/\1/p' "$repo/native/rust/Cargo.toml" | head -n 1)
cat > rust/Cargo.toml <<TOML
[package]
name = "greeter-rust"
version = "0.1.0"
edition = "${edition:-2024}"
publish = false

[lib]
name = "greeter_rust"
crate-type = ["cdylib"]

[dependencies]
nplug-abi = { path = "$repo/interop/bindings/rust" }
nplug-sdk = { path = "$repo/native/rust/nplug-sdk" }

[workspace]
TOML
sed -i '/^#\[cfg(test)\]$/,/^mod tests;$/d' rust/src/lib.rs # the repository's tests stay in the repository
(cd rust && cargo build --offline --release --quiet)

step "C# plugin: dotnet publish (NativeAOT) with the SDK's NativePlugin.targets"
cat > csharp/GreeterPlugin.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <AssemblyName>greeter_cs</AssemblyName>
    <NplugPluginMode>Aot</NplugPluginMode>
  </PropertyGroup>
  <ItemGroup>
    <Compile Include="../generated/csharp/Greeter.g.cs" />
    <Compile Include="../generated/csharp/Greeter.Plugin.g.cs" />
  </ItemGroup>
  <Import Project="$repo/src/NativePlugins.PluginSdk/build/NativePlugin.targets" />
</Project>
XML
(cd csharp && dotnet publish -v q -nologo -p:NplugDeployDir="$work/csharp/deploy" >publish.log 2>&1) \
  || { cat csharp/publish.log; exit 1; }

step ".NET host: the generated typed wrapper over NativePlugins.Host"
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
    <ProjectReference Include="$repo/src/NativePlugins.Host/NativePlugins.Host.csproj" />
    <Compile Include="../generated/csharp/Greeter.g.cs" />
    <Compile Include="../generated/csharp/Greeter.Host.g.cs" />
  </ItemGroup>
</Project>
XML
(cd host && dotnet build -c Release -v q -nologo -p:NplugSkipNativeBuild=true >build.log 2>&1) || { cat host/build.log; exit 1; }
actual=$(dotnet host/bin/Release/net10.0/GreeterHost.dll "$work/libgreeter_c.so" "$work/rust/target/release/libgreeter_rust.so" \
  "$work/csharp/deploy/libgreeter_cs.so" 2>&1)
# The same answers as the in-repository run (expected-output.txt), minus its second, hosted C# run.
expected=$(head -n 8 "$here/expected-output.txt")
if [ "$actual" != "$expected" ]; then
  echo "outside.sh: the host's output differs from the first 8 lines of expected-output.txt:" >&2
  diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") >&2 || true
  exit 1
fi
echo "tests/examples/greeter: built and run outside the repository (bindgen, cc, cargo, dotnet publish, dotnet build)"
