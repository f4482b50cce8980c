/*
 * np_bench_wasm_stage.c - the WebAssembly peer of the throughput benchmark (benchmarks/peers/README.md).
 *
 * Linked into one wasm32 module together with benchmarks/native/plugins/np_bench_plugin.c, the very source of
 * libnp_bench.so: the stages' logic is the same C, compiled by clang for wasm32 instead of by gcc for x86-64. This
 * file plays the NativePlugins host *inside* the module (np_entry negotiation, init, np.transform/1 create and
 * process, an emitter that grows with realloc), so the plugin code runs unchanged behind the ABI it was written for.
 *
 * The module is used the way a Wasm plugin host (Wasmtime, Extism) uses a plugin: one instance per pipeline stage,
 * each with its own linear memory; the host copies a batch into the instance's input area, calls stage_process once
 * per batch, and copies the output records out of linear memory. No call crosses the Wasm boundary per record, and
 * the module imports nothing from its host.
 *
 * Exports (wasm32: pointers are i32 offsets into this instance's linear memory):
 *   stage_alloc(size) -> ptr                  memory for the host to write the stage id and config into
 *   stage_create(id, id_len, cfg, cfg_len)    negotiate, init the library, create the transform `id` with `cfg`;
 *                                             returns an np_status
 *   stage_reserve_input(bytes, records)       make the input area hold `bytes` record bytes and `records` records;
 *                                             returns an np_status; the input area may move
 *   stage_process(records)                    process the batch in the input area (data + records + 1 offsets,
 *                                             uint64, starting at 0) into the output area; returns an np_status
 *   stage_io() -> ptr                         where the areas are: stage_io_t below, valid for the instance's life
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nplug/ext/np_transform.h>
#include <nplug/nplug.h>

#define STAGE_EXPORT(name) __attribute__((export_name(#name)))

/* What the host reads after stage_create / stage_reserve_input / stage_process. Field order is the host's
 * (benchmarks/NativePlugins.Benchmarks/Peers/WasmPipeline.cs reads it as 8 little-endian uint32/uint64 fields). */
typedef struct stage_io {
    uint32_t input_data;     /* input record bytes */
    uint32_t input_offsets;  /* input offsets, uint64, records + 1 entries */
    uint32_t output_data;    /* output record bytes (moves when the emitter grows) */
    uint32_t output_offsets; /* output offsets, uint64, count + 1 entries, starting at 0 */
    uint64_t output_count;   /* records emitted by the last stage_process */
    uint64_t output_bytes;   /* bytes emitted by the last stage_process */
    uint32_t error_len;      /* the plugin's message for the last failing status, at error_message */
    uint32_t error_message;
} stage_io_t;

static stage_io_t io;
static uint64_t input_data_capacity;
static uint64_t input_records_capacity;
static uint8_t error_buffer[256];

static const np_transform_v1_t *transform;
static np_instance_t *instance;
static np_emitter_t emitter;

/* ---- the host table the plugin gets: allocation through wasi-libc's malloc, no log sink ------------------------- */

static void NP_CDECL stage_log(const np_host_t *host, int32_t level, np_str_t message) {
    (void)host, (void)level, (void)message; /* the benchmark plugins never log */
}
static void *NP_CDECL stage_host_alloc(const np_host_t *host, uint64_t size, uint64_t align) {
    (void)host;
    return aligned_alloc((size_t)align, (size_t)((size + align - 1) / align * align));
}
static void NP_CDECL stage_host_free(const np_host_t *host, void *ptr, uint64_t size, uint64_t align) {
    (void)host, (void)size, (void)align;
    free(ptr);
}
static const void *NP_CDECL stage_get_extension(const np_host_t *host, np_str_t id) {
    (void)host, (void)id;
    return NULL;
}

#define STAGE_STR(literal)                                                                                             \
    { (const uint8_t *)(literal), sizeof(literal) - 1 }
static np_host_t host_table = {
    sizeof(np_host_t),
    NP_ABI_MINOR,
    STAGE_STR("np-bench-wasm-stage"),
    STAGE_STR("1"),
    NULL,
    stage_log,
    stage_host_alloc,
    stage_host_free,
    stage_get_extension,
};

/* ---- the emitter: the output area, grown with realloc ---------------------------------------------------------- */

static np_status NP_CDECL stage_reserve(np_emitter_t *self, uint64_t extra_bytes, uint64_t extra_records) {
    if (self->data_capacity - self->data_used < extra_bytes) {
        uint64_t want = self->data_capacity * 2 > self->data_used + extra_bytes ? self->data_capacity * 2
                                                                                : self->data_used + extra_bytes;
        uint8_t *data = realloc(self->data, (size_t)want);
        if (data == NULL) {
            return NP_ERR_OUT_OF_MEMORY;
        }
        self->data = data;
        self->data_capacity = want;
    }
    if (self->offsets_capacity - self->count < extra_records + 1) {
        uint64_t want = self->offsets_capacity * 2 > self->count + extra_records + 1 ? self->offsets_capacity * 2
                                                                                     : self->count + extra_records + 1;
        uint64_t *offsets = realloc(self->offsets, (size_t)(want * sizeof(uint64_t)));
        if (offsets == NULL) {
            return NP_ERR_OUT_OF_MEMORY;
        }
        self->offsets = offsets;
        self->offsets_capacity = want;
    }
    return NP_OK;
}

/* ---- exports --------------------------------------------------------------------------------------------------- */

STAGE_EXPORT(stage_alloc) void *stage_alloc(uint32_t size) { return malloc(size); }

STAGE_EXPORT(stage_io) stage_io_t *stage_io(void) { return &io; }

static np_status stage_fail(np_status status, const np_error_t *error) {
    io.error_len = error != NULL ? (uint32_t)error->len : 0;
    return status;
}

STAGE_EXPORT(stage_create)
np_status stage_create(const uint8_t *id, uint32_t id_len, const uint8_t *config, uint32_t config_len) {
    np_error_t error = {error_buffer, sizeof error_buffer, 0, 0, 0};
    io.error_message = (uint32_t)(uintptr_t)error_buffer;
    if (instance != NULL) {
        return stage_fail(NP_ERR_STATE, NULL); /* one stage per module instance */
    }
    np_negotiation_t negotiation = {sizeof negotiation, NP_ABI_MAJOR, NP_ABI_MINOR, 0, 0, 0, 0, NULL, &error};
    const np_library_t *library = NULL;
    np_status status = np_entry(&negotiation, &library);
    if (status != NP_OK || library == NULL) {
        return stage_fail(status != NP_OK ? status : NP_ERR_PLUGIN, &error);
    }
    host_table.abi_minor = negotiation.abi_minor;
    status = library->init(&host_table, &error);
    if (status != NP_OK) {
        return stage_fail(status, &error);
    }
    for (uint32_t p = 0; p < library->plugin_count && transform == NULL; p++) {
        const np_plugin_descriptor_t *plugin = library->plugins[p];
        if (plugin->id.len != id_len || memcmp(plugin->id.ptr, id, id_len) != 0) {
            continue;
        }
        for (uint64_t i = 0; i < plugin->interface_count; i++) {
            const np_interface_t *iface = &plugin->interfaces[i];
            if (iface->id.len == sizeof NP_TRANSFORM_ID - 1 &&
                memcmp(iface->id.ptr, NP_TRANSFORM_ID, iface->id.len) == 0) {
                transform = iface->vtable;
            }
        }
    }
    if (transform == NULL) {
        return stage_fail(NP_ERR_UNSUPPORTED, NULL); /* no such plugin, or it has no np.transform/1 */
    }
    status = transform->create(&host_table, (np_str_t){config, config_len}, &instance, &error);
    if (status != NP_OK) {
        return stage_fail(status, &error);
    }
    emitter.struct_size = sizeof emitter;
    emitter.reserve = stage_reserve;
    status = stage_reserve(&emitter, 64 * 1024, 1024);
    emitter.offsets[0] = 0;
    io.output_data = (uint32_t)(uintptr_t)emitter.data;
    io.output_offsets = (uint32_t)(uintptr_t)emitter.offsets;
    return stage_fail(status, NULL);
}

STAGE_EXPORT(stage_reserve_input) np_status stage_reserve_input(uint32_t bytes, uint32_t records) {
    if (bytes > input_data_capacity) {
        uint8_t *data = realloc((void *)(uintptr_t)io.input_data, bytes);
        if (data == NULL) {
            return NP_ERR_OUT_OF_MEMORY;
        }
        io.input_data = (uint32_t)(uintptr_t)data;
        input_data_capacity = bytes;
    }
    if (records + 1ull > input_records_capacity) {
        uint64_t *offsets = realloc((void *)(uintptr_t)io.input_offsets, (records + 1ull) * sizeof(uint64_t));
        if (offsets == NULL) {
            return NP_ERR_OUT_OF_MEMORY;
        }
        io.input_offsets = (uint32_t)(uintptr_t)offsets;
        input_records_capacity = records + 1ull;
    }
    return NP_OK;
}

STAGE_EXPORT(stage_process) np_status stage_process(uint32_t records) {
    if (instance == NULL || records + 1ull > input_records_capacity) {
        return stage_fail(NP_ERR_STATE, NULL);
    }
    np_error_t error = {error_buffer, sizeof error_buffer, 0, 0, 0};
    const uint64_t *offsets = (const uint64_t *)(uintptr_t)io.input_offsets;
    if (offsets[records] > input_data_capacity) {
        return stage_fail(NP_ERR_INPUT, NULL); /* the host's offsets run past the input area */
    }
    np_batch_t batch = {(const uint8_t *)(uintptr_t)io.input_data, offsets, records};
    emitter.data_used = 0;
    emitter.count = 0;
    emitter.offsets[0] = 0;
    np_status status = transform->process(instance, &batch, &emitter, &error);
    io.output_data = (uint32_t)(uintptr_t)emitter.data;
    io.output_offsets = (uint32_t)(uintptr_t)emitter.offsets;
    io.output_count = emitter.count;
    io.output_bytes = emitter.data_used;
    return stage_fail(status, &error);
}
