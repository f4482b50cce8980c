/*
 * np_version.h - ABI version, calling convention and export macros.
 *
 * Part of the NativePlugins C ABI. This header set is the single source of truth: the C# and Rust
 * bindings, the layout manifest and the layout fingerprints are generated from it (interop/generator).
 * Change it only as interop/README.md ("Changing the ABI") says.
 */
#ifndef NP_VERSION_H
#define NP_VERSION_H

/* Major version: a library and a host speak to each other only if their majors are equal. */
#define NP_ABI_MAJOR 1u
/* Minor version: each minor only appends (fields at the end of growable structs, new interfaces, new
 * status codes). A peer built against an older minor is still served; see np_negotiation_t. */
#define NP_ABI_MINOR 3u

/* Calling convention of every function pointer and of the entry function. On every 64-bit target and on
 * 32-bit non-Windows targets this is the platform's default C convention. */
#if defined(_WIN32) && !defined(_WIN64)
#define NP_CDECL __cdecl
#else
#define NP_CDECL
#endif

/* Marks the one symbol a library exports. */
#if defined(_WIN32)
#define NP_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define NP_EXPORT __attribute__((visibility("default")))
#else
#define NP_EXPORT
#endif

#ifdef __cplusplus
#define NP_EXTERN_C extern "C"
#else
#define NP_EXTERN_C
#endif

#endif /* NP_VERSION_H */
