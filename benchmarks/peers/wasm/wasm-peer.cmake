# The WebAssembly peer of the benchmarks' peers group (benchmarks/peers/README.md), included by
# benchmarks/native/CMakeLists.txt:
#   np_bench_wasm_peer   <build>/bench/peers/np_bench_stage.wasm   benchmarks/native/plugins/np_bench_plugin.c (the
#                        source of libnp_bench.so, with the C SDK's np_bytes.h kernels on their portable path) +
#                        np_bench_wasm_stage.c, compiled for wasm32 by clang with
#                        Debian's wasi-libc (.ci/install-deps.sh installs clang-14, lld-14, wasi-libc and the wasm32
#                        compiler runtime). Part of ALL where that toolchain is complete (the peers' tests in
#                        tests/NativePlugins.Benchmarks.Tests load it); elsewhere the target only says why it cannot
#                        be built, and the Wasm peer shows as "not built".
# Flags: -O3 -DNDEBUG as the Release build of libnp_bench.so, and -msimd128 (Wasm SIMD, on by default in Wasmtime)
# so that clang's auto-vectorizer has what gcc's has on x86-64 (SSE2).
find_program(NP_WASM_CLANG NAMES clang-14 clang)
# Complete = clang knows wasm32 and finds its compiler runtime, wasi-libc and wasm-ld (each a separate Debian package).
set(wasm_toolchain_complete FALSE)
if(NP_WASM_CLANG)
  execute_process(COMMAND "${NP_WASM_CLANG}" --target=wasm32-wasi -print-libgcc-file-name
                  OUTPUT_VARIABLE wasm_builtins OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND "${NP_WASM_CLANG}" --target=wasm32-wasi -print-file-name=libc.a
                  OUTPUT_VARIABLE wasm_libc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  find_program(NP_WASM_LD NAMES wasm-ld-14 wasm-ld)
  if(EXISTS "${wasm_builtins}" AND IS_ABSOLUTE "${wasm_libc}" AND EXISTS "${wasm_libc}" AND NP_WASM_LD)
    set(wasm_toolchain_complete TRUE)
  endif()
endif()
set(wasm_out "${NP_BENCH_OUTPUT_DIR}/peers/np_bench_stage.wasm")
# The project's warning policy (-Wall -Wextra -Wpedantic; -Werror with NP_WARNINGS_AS_ERRORS), as for every C target.
set(wasm_warnings -Wall -Wextra -Wpedantic)
if(NP_WARNINGS_AS_ERRORS)
  list(APPEND wasm_warnings -Werror)
endif()
set(wasm_sources "${CMAKE_CURRENT_LIST_DIR}/np_bench_wasm_stage.c" "${PROJECT_SOURCE_DIR}/benchmarks/native/plugins/np_bench_plugin.c")
if(wasm_toolchain_complete)
  add_custom_command(
    OUTPUT "${wasm_out}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${NP_BENCH_OUTPUT_DIR}/peers"
    COMMAND "${NP_WASM_CLANG}" --target=wasm32-wasi -O3 -DNDEBUG -msimd128 -std=c11 ${wasm_warnings}
            -nostartfiles -Wl,--no-entry -Wl,--strip-debug
            -I "${NP_INTEROP_INCLUDE_DIR}" -I "${PROJECT_SOURCE_DIR}/benchmarks/native/include"
            -I "${PROJECT_SOURCE_DIR}/benchmarks/native/plugins" -I "${PROJECT_SOURCE_DIR}/native/c-sdk/include"
            ${wasm_sources} -o "${wasm_out}"
    DEPENDS ${wasm_sources} "${PROJECT_SOURCE_DIR}/benchmarks/native/plugins/bench_plugin_common.h"
            "${PROJECT_SOURCE_DIR}/benchmarks/native/include/np_bench.h"
            "${PROJECT_SOURCE_DIR}/native/c-sdk/include/nplug_sdk/np_bytes.h"
    COMMENT "clang --target=wasm32-wasi: the benchmark plugin as a WebAssembly module (the Wasm peer)"
    VERBATIM)
  add_custom_target(np_bench_wasm_peer ALL DEPENDS "${wasm_out}")
else()
  add_custom_target(np_bench_wasm_peer
    COMMAND "${CMAKE_COMMAND}" -E echo "np_bench_wasm_peer: no complete wasm32 toolchain (clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32: .ci/install-deps.sh); the Wasm peer is not built"
    COMMAND "${CMAKE_COMMAND}" -E false)
endif()
