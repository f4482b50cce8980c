#!/usr/bin/env bash
# A C plugin outside the repository, from the installed prefix only (README.md), built the two ways the C SDK's
# README shows:
#   (a) CMake: find_package(NativePlugins 0.2 REQUIRED) + np_add_plugin()  -> stage.c-upper      (to <stage>/plugins)
#   (b) plain cc + `pkg-config --cflags --libs nativeplugins`             -> stage.c-upper-pc   (checked only)
# Both are checked with the staged nplug and run through the installed nplug-c-host.
# Usage: consume-cmake.sh <stage-dir>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: consume-cmake.sh <stage-dir>" >&2; exit 2; }
source "$(dirname "$0")/lib.sh" "$1"
work="$(np_consumer_dir cmake)"
trap 'rm -rf "$work"' EXIT

# One source, two plugin ids: the id comes from the build (-DSTAGE_PLUGIN_ID) so both libraries can be told apart.
cat > "$work/upper.c" <<'C'
/* upper.c - upper-cases ASCII letters of every record (np.transform/1). */
#include <nplug_sdk/np_sdk.h>

#ifndef STAGE_PLUGIN_ID
#define STAGE_PLUGIN_ID "stage.c-upper"
#endif

static np_status upper_process(np_sdk_instance_t *self, const np_batch_t *in, np_emitter_t *out, np_error_t *error) {
    (void)self;
    for (uint64_t i = 0; i < in->count; i++) {
        np_bytes_t text = np_batch_record(in, i);
        uint8_t *dst;
        np_status st = np_emit_reserve(out, text.len, &dst);
        if (st != NP_OK) return np_error_set(error, st, "record %llu: no room", (unsigned long long)i);
        for (uint64_t k = 0; k < text.len; k++)
            dst[k] = (uint8_t)(text.ptr[k] >= 'a' && text.ptr[k] <= 'z' ? text.ptr[k] - 32 : text.ptr[k]);
        np_emit_commit(out, text.len);
    }
    return NP_OK;
}

static const np_sdk_transform_t upper = {.instance_size = sizeof(np_sdk_instance_t), .process = upper_process};

NP_TRANSFORM_PLUGIN(upper_plugin, upper, .id = NP_STR_LIT(STAGE_PLUGIN_ID), .name = NP_STR_LIT("Stage upper (C)"),
                    .version = NP_STR_LIT("1.0.0"));
C

# (a) CMake, with only the prefix on CMAKE_PREFIX_PATH
mkdir -p "$work/cmake"
cat > "$work/cmake/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(stage_c_upper C)
find_package(NativePlugins 0.2 REQUIRED)
np_add_plugin(stage_c_upper SOURCES ../upper.c)
CMAKE
np_step "cmake: find_package(NativePlugins) + np_add_plugin"
cmake -S "$work/cmake" -B "$work/cmake/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$np_prefix" \
  >"$work/cmake.log" 2>&1 && cmake --build "$work/cmake/build" >>"$work/cmake.log" 2>&1 ||
  { cat "$work/cmake.log" >&2; exit 1; }
lib_cmake="$work/cmake/build/libstage_c_upper.so"
[ -f "$lib_cmake" ] || { echo "consume-cmake: np_add_plugin did not write $lib_cmake" >&2; exit 1; }

# (b) plain cc + pkg-config, the way the C SDK's README shows (no CMake, no version script)
np_step "cc + pkg-config nativeplugins"
command -v pkg-config >/dev/null || { echo "consume-cmake: pkg-config is not installed" >&2; exit 1; }
export PKG_CONFIG_PATH="$np_prefix/lib/pkgconfig"
pkg-config --exact-version="$np_version" nativeplugins ||
  { echo "consume-cmake: pkg-config finds no nativeplugins $np_version in $PKG_CONFIG_PATH" >&2; exit 1; }
lib_pc="$work/libstage_c_upper_pc.so"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
"${CC:-cc}" -std=c11 -O2 -shared -fPIC -fvisibility=hidden -DSTAGE_PLUGIN_ID='"stage.c-upper-pc"' "$work/upper.c" \
  $(pkg-config --cflags --libs nativeplugins) -o "$lib_pc"

for lib in "$lib_cmake" "$lib_pc"; do
  np_step "nplug check $(basename "$lib")"
  np_nplug check "$lib"
done
host="$np_prefix/bin/nplug-c-host"
for run in "$lib_cmake:stage.c-upper" "$lib_pc:stage.c-upper-pc"; do
  got="$(printf 'hello\nstage\n' | "$host" run --quiet "$run")"
  [ "$got" = $'HELLO\nSTAGE' ] || { echo "consume-cmake: $run printed '$got', expected HELLO and STAGE" >&2; exit 1; }
done
cp "$lib_cmake" "$np_plugins/"
np_step "consume-cmake: ok ($np_plugins/$(basename "$lib_cmake"))"
