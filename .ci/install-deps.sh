#!/usr/bin/env bash
# Installs every system tool the build and the tests need, on a fresh Debian machine. Idempotent: a tool that is
# already there is not reinstalled. The .NET SDK and cargo come with the machine; NuGet packages come from
# `dotnet restore`; the Rust crates have no external dependencies.
set -euo pipefail

need=()
command -v cmake   >/dev/null 2>&1 || need+=(cmake)
command -v gcc     >/dev/null 2>&1 || need+=(gcc)
command -v g++     >/dev/null 2>&1 || need+=(g++)
command -v ctest   >/dev/null 2>&1 || need+=(cmake)
# libclang for the binding generator (interop/generator), loaded as libclang-14.so.1.
# (grep -q would close the pipe early and, under pipefail, make the test fail: read all of ldconfig's output)
ldconfig -p 2>/dev/null | grep 'libclang-14.so.1' >/dev/null || need+=(libclang1-14)
# Google Benchmark and GoogleTest for the native harness and tests.
[ -e /usr/include/benchmark/benchmark.h ] || need+=(libbenchmark-dev)
[ -e /usr/include/gtest/gtest.h ] || need+=(libgtest-dev)
# clang-format for tests/lint.sh (style: .clang-format; Debian 12 ships clang-format 14) and valgrind for the
# memcheck tests.
command -v clang-format >/dev/null 2>&1 || need+=(clang-format)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
# pkg-config: the packaging test builds a C plugin from the installed nativeplugins.pc (tests/packaging).
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# unzip: the packaging test checks what each .nupkg carries. zlib headers: NativeAOT links C# plugins with -lz.
command -v unzip >/dev/null 2>&1 || need+=(unzip)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
# libffi: nplug-worker calls the functions of a host's own interfaces from their signature description (linked
# statically, so the shipped worker needs nothing new at run time).
compgen -G '/usr/lib/*-linux-gnu/libffi_pic.a' >/dev/null || need+=(libffi-dev)
# The WebAssembly peer of the benchmarks (benchmarks/peers/README.md): clang-14 for wasm32, its linker, the wasm32
# compiler runtime and wasi-libc (string functions and malloc inside the module).
command -v clang-14 >/dev/null 2>&1 || need+=(clang-14)
command -v wasm-ld-14 >/dev/null 2>&1 || need+=(lld-14)
compgen -G '/usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a' >/dev/null || need+=(libclang-rt-14-dev-wasm32)
[ -e /usr/lib/wasm32-wasi/libc.a ] || need+=(wasi-libc)

if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
command -v cargo >/dev/null 2>&1 || { echo "install-deps: cargo is required (Rust toolchain)" >&2; exit 1; }
# rustfmt and clippy come with a rustup toolchain; add them when rustup can, else say what is missing.
for component in fmt clippy; do
  if ! cargo "$component" --version >/dev/null 2>&1; then
    name=$([ "$component" = fmt ] && echo rustfmt || echo clippy)
    command -v rustup >/dev/null 2>&1 && rustup component add "$name" ||
      { echo "install-deps: cargo $component is required (rustup component add $name)" >&2; exit 1; }
  fi
done
command -v dotnet >/dev/null 2>&1 || { echo "install-deps: dotnet is required (.NET SDK 10)" >&2; exit 1; }
