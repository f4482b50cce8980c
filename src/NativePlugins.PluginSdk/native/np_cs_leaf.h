/*
 * np_cs_leaf.h - the native half of the C# plugin SDK (private to the SDK, not part of the ABI).
 *
 * Why native code in a C# SDK: np_transform_v1_t.stats is a [leaf] function, and a host may call a [leaf]
 * function without a GC transition (.NET SuppressGCTransition). An [UnmanagedCallersOnly] C# method cannot be
 * such a function: a hosted plugin runs in the host's own CoreCLR, and entering managed code from a thread that
 * is still in cooperative mode fails fast ("attempted to call an UnmanagedCallersOnly method from managed code").
 * So the C# SDK keeps an instance's counters and its poisoned flag in a small native block and answers stats in C.
 *
 * The same source is linked into both modes:
 *   - NativeAOT: compiled by the SDK's MSBuild targets and linked statically into the plugin (DirectPInvoke),
 *     the managed side fetches the function pointer through np_cs_leaf_stats_fn();
 *   - hosted: compiled into the hosted shim, which hands the pointer to the managed side (np_cs_shim_services_t).
 *
 * The C# side mirrors np_cs_instance_t in NativePlugins.PluginSdk/Runtime/InstanceBlock.cs; both change together.
 */
#ifndef NP_CS_LEAF_H
#define NP_CS_LEAF_H

#include <stdint.h>

#include <nplug/nplug.h>

/* "NPCS" while the instance is alive; cleared by destroy, so that a stale pointer is refused, not followed. */
#define NP_CS_INSTANCE_MAGIC 0x5343504Eu

#define NP_CS_INSTANCE_LIVE 0u
#define NP_CS_INSTANCE_POISONED 1u

/* What np_instance_t* points at for every C# plugin instance (allocated and freed by the C# SDK). */
typedef struct np_cs_instance {
    uint32_t magic;      /* NP_CS_INSTANCE_MAGIC while alive */
    uint32_t state;      /* NP_CS_INSTANCE_LIVE or NP_CS_INSTANCE_POISONED (rule P7) */
    uint64_t records_in; /* counters since create, updated once per call with atomic adds */
    uint64_t records_out;
    uint64_t bytes_in;
    uint64_t bytes_out;
    void *gc_handle; /* GCHandle of the managed plugin object */
} np_cs_instance_t;

/* The signature of np_transform_v1_t.stats. */
typedef np_status(NP_CDECL *np_cs_stats_fn)(np_instance_t *instance, np_transform_stats_t *out_stats);

/* The private contract between the hosted shim and the SDK's managed entry (hosted mode only). */
#define NP_CS_SHIM_SERVICES_VERSION 1u
typedef struct np_cs_shim_services {
    uint32_t struct_size; /* sizeof(np_cs_shim_services_t) */
    uint32_t version;     /* NP_CS_SHIM_SERVICES_VERSION */
    np_cs_stats_fn stats; /* np_cs_leaf_stats, as linked into the shim */
} np_cs_shim_services_t;

/* np_transform_v1_t.stats for every C# plugin. [instance][leaf]: two atomic loads per counter, no allocation,
 * no host call, no lock. */
np_status NP_CDECL np_cs_leaf_stats(np_instance_t *instance, np_transform_stats_t *out_stats);

/* Returns &np_cs_leaf_stats; the NativeAOT side binds this with DirectPInvoke (C# cannot take the address of
 * a P/Invoke). */
np_cs_stats_fn np_cs_leaf_stats_fn(void);

#endif /* NP_CS_LEAF_H */
