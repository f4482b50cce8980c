/*
 * npw_protocol.h - the host <-> nplug-worker protocol (process isolation). INTERNAL: not part of the plugin ABI
 * (interop/include); a host and the worker it starts come from the same build, and the version below must match
 * exactly (the worker refuses any other with exit code NPW_EXIT_VERSION).
 *
 * Channels, as fixed descriptor numbers in the worker (the host sets them up before exec):
 *   NPW_FD_CONTROL  memfd, NPW_CONTROL_BYTES, mapped by both: one npw_control_t (request and reply fields)
 *   NPW_FD_INPUT    memfd grown by the host: the argument of LOAD/CREATE, or the input batch of PROCESS
 *   NPW_FD_OUTPUT   memfd grown by the worker (during a call, as the plugin reserves): output records, LOAD's info
 *   NPW_FD_REQUEST  eventfd: the host adds 1 after writing a request
 *   NPW_FD_REPLY    eventfd: the worker adds 1 after writing the reply
 *   NPW_FD_REGIONS  AF_UNIX SOCK_SEQPACKET socket: the host hands shared record buffers over (v3, below)
 *   2 (stderr)      a pipe to the host: plugin log lines as "NPW_LOG_PREFIX<level>\t<scope>\t<text>\n" (text on
 *                   one line), and whatever else the plugin writes to stderr (an abort message, say)
 * One request at a time: the host writes the request fields, bumps request_seq, and waits until reply_seq equals
 * it (or for the worker's death, or its deadline). Wake-ups: each side may first spin on the other's sequence
 * number, then raises its *_waiting flag and blocks; the other side signals the eventfd only when it sees that
 * flag (both sides: store, full fence, load, so that one of them always sees the other). While both run, a round
 * trip makes no system call; a stray eventfd count only causes a spurious wake-up. How long to spin is one rule on
 * both sides (v3; npw_wake.c, AdaptiveSpin.cs): twice the average of the last waits plus NPW_SPIN_SLACK_NS, and not
 * at all when that average is past the spin limit (the worker's --spin-ns, default NPW_SPIN_MAX_DEFAULT_NS); while
 * the other side was last seen on this thread's CPU (host_cpu, worker_cpu) the spin is a sched_yield loop, which
 * hands that CPU to the other side instead of keeping it from running.
 *
 * A batch in ordinary host memory crosses each way in one copy: the host writes the records into the input memfd,
 * the plugin reads them there and emits straight into the output memfd, the host copies the output into the
 * caller's buffer. No record is sent as a message.
 *
 * Shared record buffers (v3): a host RecordBuffer may keep its data and its offsets in two memfds of its own
 * ("regions", each with an id unique in the host process). The host hands a region to the worker once, as an
 * SCM_RIGHTS message on NPW_FD_REGIONS (npw_region_message_t), before the first request that names it, and says
 * how many messages it queued in region_messages; the worker reads exactly that many before it serves the request,
 * maps each region and keeps it until a DROP message (the buffer was disposed). Then a batch in such a buffer is
 * read in place (input_*_region: no copy in), and a call whose output is such a buffer emits straight into it,
 * after the records it holds (output_*_region: no copy out; the worker grows the regions with ftruncate as the
 * plugin reserves and reports their new sizes). Region 0 means the input / output memfd above. The host seals
 * every memfd against shrinking (F_SEAL_SHRINK), so neither side can make the other's mapping fault. A host in
 * restricted mode (--restricted) never hands regions over: memory a restricted worker could write is never the
 * host's.
 *
 * Sizes: a side that grows a memfd (ftruncate) writes its new size into input_size / output_size; the other side
 * remaps before it next reads it (the worker at each request, the host after each reply).
 * Layout of a batch in a memfd: uint64_t offsets[count + 1] at *_offsets_at (offsets[0] == 0), data at *_data_at.
 */
#ifndef NPW_PROTOCOL_H
#define NPW_PROTOCOL_H

#include <stdint.h>

#define NPW_PROTOCOL_VERSION 3u
#define NPW_MAGIC 0x4b57504eu /* "NPWK" */

#define NPW_FD_CONTROL 3
#define NPW_FD_INPUT 4
#define NPW_FD_OUTPUT 5
#define NPW_FD_REQUEST 6
#define NPW_FD_REPLY 7
#define NPW_FD_REGIONS 8 /* v3: an AF_UNIX SOCK_SEQPACKET socket; the host sends npw_region_message_t on it */

#define NPW_CONTROL_BYTES 16384u
#define NPW_MESSAGE_MAX 8192u
#define NPW_LOG_PREFIX "\x1enpw-log\t"
#define NPW_STDERR_DRAIN_EVERY 64u      /* see log_written */
#define NPW_SPIN_MAX_DEFAULT_NS 200000u /* the spin limit when the host names none (--spin-ns) */
#define NPW_SPIN_SLACK_NS                                                                                              \
    25000u /* added to twice the average wait: about what a wake-up costs on an idle vCPU,
                                         * so one late answer (an interrupt, a preemption) does not make a side block */

/* Exit codes of the worker itself (a plugin's own exit() keeps its code). */
#define NPW_EXIT_OK 0
#define NPW_EXIT_USAGE 64
#define NPW_EXIT_VERSION 65 /* the control block has another magic or version */
#define NPW_EXIT_CHANNEL 66 /* a channel descriptor is missing or cannot be mapped */
#define NPW_EXIT_ORPHAN 67  /* the parent was gone before PR_SET_PDEATHSIG took effect */

typedef enum npw_op {
    NPW_OP_NONE = 0,
    NPW_OP_LOAD = 1,    /* input: the library path (request_value: the ABI minor to offer); reply: info in output */
    NPW_OP_CREATE = 2,  /* input: plugin id, NUL, config; reply: value = instance id (> 0) */
    NPW_OP_PROCESS = 3, /* instance, input batch; reply: output batch */
    NPW_OP_FLUSH = 4,   /* instance; reply: output batch */
    NPW_OP_STATS = 5,   /* instance; reply: value = 0 no stats, 1 stats[] filled */
    NPW_OP_DESTROY = 6, /* instance */
    NPW_OP_PING = 7,    /* nothing: an empty round trip */
    NPW_OP_EXIT = 8,    /* destroy every instance, unload, reply, exit 0 */
    /* A chain of instances (consecutive pipeline stages in this worker) over one batch: the input batch crosses
     * once, stage k's output is stage k+1's input in the worker's own buffers, the last stage's output crosses
     * back once. chain_instance[0..chain_count) in order; per stage the reply's chain_records_out/bytes_out (and
     * chain_ns with NPW_CHAIN_TIME). On a failure chain_at is the failed stage and chain_op its operation
     * (NPW_OP_PROCESS or NPW_OP_FLUSH); they are written before every stage call, so after the worker's death they
     * name the stage that was running. Output of a failed chain is discarded. */
    NPW_OP_PROCESS_CHAIN = 9, /* process the input batch through every stage */
    NPW_OP_FLUSH_CHAIN = 10,  /* end the stream: per stage, process its input (the input batch for the first
                               * stage, the previous stage's output after it) if there is any, then flush */
    /* np.state/1 (ABI 1.3) of an np.transform/1 instance, for a plugin whose library info lists "np.state/1" at an
     * agreed minor >= 3 (np_c_host validated its vtable at LOAD). The blob is the plugin's; the worker never looks
     * inside. A failing status (NP_ERR_INPUT: a blob the plugin does not understand) or a broken np_out_bytes_t is
     * NPW_R_FAILED with np_c_host's diagnostic, as for PROCESS. */
    NPW_OP_SAVE_STATE = 11,   /* instance; reply: the saved bytes in the output memfd at output_data_at,
                               * output_data_used bytes (as LOAD's info; output_count 0) */
    NPW_OP_RESTORE_STATE = 12 /* instance; input: the bytes to restore at offset 0 of the input memfd, arg_len
                               * bytes (read during the request only) */
} npw_op_t;

/* Calls of a host's own interface (`nplug bindgen` proxies, native/worker/src/npw_call*.c), numbered from 16:
 *   NPW_OP_CALL_CREATE  input (arg_len bytes): plugin id NUL interface id NUL config NUL description (below);
 *                       reply: value = call instance id (> 0); output (output_data_at, 16 bytes): a u64 mask, bit i
 *                       set when the plugin provides function i of the description, and the vtable's struct_size
 *   NPW_OP_CALL         instance, request_value = function index; input: one u64 slot per value parameter
 *                       (input_count slots at 0: a scalar's bits, or an np_str_t/np_bytes_t as two slots, its offset
 *                       in the input memfd and its length), the bytes after them; reply: value = the return value
 *                       (its bits, zero-extended), stats[0] = the out_* integer, the np_out_bytes_t result at
 *                       output_data_at (output_data_used bytes); a failing status's np_error_t text in message
 *                       (detail_code = np_error_t.code). The call's status is a result, not a failure: result is
 *                       NPW_R_FAILED only when the plugin broke a rule (nph_error NPH_E_PROTOCOL) or the instance
 *                       could not be created/found.
 *   NPW_OP_CALL_DESTROY instance
 * The description: one line per vtable function, in the contract's order (its line number is the function index):
 *   <name> <offset> <required 0|1> <return> <parameter>...
 * return: st (np_status), v (void), i8 u8 i16 u16 i32 u32 i64 u64; parameters: self (the instance), the same
 * scalar codes, s (np_str_t), b (np_bytes_t), o (np_out_bytes_t *), p<scalar> (an out_* pointer: pi64), e (a final
 * np_error_t *). The create function's line is "<name> <offset> 1 @create", the destroy's "<name> <offset> 1 @destroy". */
enum npw_call_op { NPW_OP_CALL_CREATE = 16, NPW_OP_CALL = 17, NPW_OP_CALL_DESTROY = 18 };
#define NPW_CHAIN_MAX 16u /* stages per chain request (a longer run of stages is sent as several chains) */
#define NPW_CHAIN_TIME 1u /* chain_flags: measure each stage's wall time (chain_ns) */

typedef enum npw_result {
    NPW_R_OK = 0,
    NPW_R_FAILED = 1,     /* the C host reported nph_error (with status, message, detail_code, plugin_text_at) */
    NPW_R_BAD_REQUEST = 2 /* the host sent something this worker cannot serve (message says what) */
} npw_result_t;

/* Library info (LOAD reply, in the output memfd at output_data_at, output_data_used bytes). Little-endian;
 * str = u32 length + bytes (UTF-8, validated by the loader):
 *   u32 agreed_minor, u32 library_abi_major, u32 library_abi_minor, u32 has_layout_report, u64 layout_fingerprint,
 *   u64 flags, str sdk, u32 plugin_count, then per plugin:
 *     str id, str name, str version, str description, str vendor, u32 threading, u32 interface_count, then per
 *     interface: str id, u32 vtable struct_size, u64 fingerprint (v3; 0: none given), and after a fingerprint
 *     its layout report: u32 present, then u32 struct_size, u64 struct_count, u32 structs_null, then (when
 *     struct_size covers np_layout_report_t, struct_count <= NPW_REPORT_MAX_COUNT and structs is not NULL) per
 *     struct: name, u32 size, u32 align, u64 field_count, u32 fields_null, then (when field_count <=
 *     NPW_REPORT_MAX_COUNT and fields is not NULL) per field: name, u32 offset, u32 size; a name is u64 len,
 *     u32 ptr_null, then its bytes when not NULL and len <= NPW_REPORT_MAX_NAME;
 *   then u32 has_stats (np.transform/1's stats is usable) */
#define NPW_REPORT_MAX_COUNT 4096u /* NpLayoutReport.MaxStructs / MaxFields: past them the host refuses the report */
#define NPW_REPORT_MAX_NAME 1024u  /* NpLayoutReport.MaxNameBytes */

/* One message on NPW_FD_REGIONS (v3). ADD carries the region's memfd as SCM_RIGHTS (the worker maps it
 * read-write, `size` bytes, and owns that descriptor from then on); DROP names a region the worker must unmap and
 * close (its buffer was disposed; the id is never used again). */
typedef enum npw_region_kind { NPW_REGION_ADD = 1, NPW_REGION_DROP = 2 } npw_region_kind_t;
typedef struct npw_region_message {
    uint32_t kind; /* npw_region_kind_t */
    uint32_t reserved;
    uint64_t id;   /* > 0 */
    uint64_t size; /* ADD: the region's size now (it only grows) */
} npw_region_message_t;

typedef struct npw_control {
    /* ---- set once by the host ---- */
    uint32_t magic;   /* NPW_MAGIC */
    uint32_t version; /* NPW_PROTOCOL_VERSION */
    /* ---- request: written by the host, then NPW_FD_REQUEST ---- */
    uint32_t op;       /* npw_op_t */
    uint32_t instance; /* the instance id, for PROCESS/FLUSH/STATS/DESTROY */
    uint64_t request_value;
    uint64_t input_size; /* bytes of the input memfd */
    uint64_t input_count;
    uint64_t input_offsets_at;
    uint64_t input_data_at;
    uint64_t arg_len; /* LOAD/CREATE: bytes of the argument at offset 0 of the input memfd */
    /* ---- reply: written by the worker, then NPW_FD_REPLY ---- */
    int32_t result;          /* npw_result_t */
    int32_t status;          /* np_status of the failed call (NPW_R_FAILED) */
    int32_t nph_error;       /* nph_error_t (NPW_R_FAILED) */
    int32_t detail_code;     /* np_error_t.code of the failed call */
    uint32_t plugin_text_at; /* where the plugin's own words start in message (0: none) */
    uint32_t message_len;
    uint64_t value;
    uint64_t output_size; /* bytes of the output memfd */
    uint64_t output_count;
    uint64_t output_data_used;
    uint64_t output_offsets_at;
    uint64_t output_data_at;
    uint64_t stats[4]; /* records_in, records_out, bytes_in, bytes_out */
    uint64_t served;   /* requests served so far (a liveness counter for diagnostics) */
    /* ---- wake-ups (v2) ---- */
    uint32_t request_seq;    /* host: incremented once the request fields are written */
    uint32_t reply_seq;      /* worker: set to request_seq once the reply fields are written */
    uint32_t host_waiting;   /* host: 1 while it blocks for the reply (the worker then signals NPW_FD_REPLY) */
    uint32_t worker_waiting; /* worker: 1 while it blocks for a request (the host then signals NPW_FD_REQUEST) */
    uint32_t host_cpu;       /* host: the CPU (number + 1, 0 unknown) of the thread that sent the request (v3) */
    uint32_t worker_cpu;     /* worker: its CPU (number + 1) while it waits and while it serves (v3) */
    /* ---- PROCESS_CHAIN / FLUSH_CHAIN (v2) ---- */
    uint32_t chain_count;                      /* host: stages, 1..NPW_CHAIN_MAX */
    uint32_t chain_flags;                      /* host: NPW_CHAIN_TIME */
    uint32_t chain_at;                         /* worker: the stage running now; after a failure, the failed one */
    uint32_t chain_op;                         /* worker: NPW_OP_PROCESS or NPW_OP_FLUSH, the call chain_at is in */
    uint32_t chain_instance[NPW_CHAIN_MAX];    /* host: the instance ids, in order */
    uint64_t chain_records_out[NPW_CHAIN_MAX]; /* worker: records each stage emitted */
    uint64_t chain_bytes_out[NPW_CHAIN_MAX];   /* worker: bytes each stage emitted */
    uint64_t chain_ns[NPW_CHAIN_MAX];          /* worker: wall time of each stage's calls (NPW_CHAIN_TIME) */
    /* ---- shared record buffers (v3): region ids (0: the input / output memfd) and sizes ---- */
    uint32_t region_messages; /* host: messages queued on NPW_FD_REGIONS for the worker to read first */
    uint32_t region_reserved;
    uint64_t input_offsets_region;      /* host: input_offsets_at is an offset in this region */
    uint64_t input_data_region;         /* host: input_data_at is an offset in this region */
    uint64_t input_offsets_region_size; /* host: the region's size now (the worker remaps when it grew) */
    uint64_t input_data_region_size;
    uint64_t output_offsets_region; /* host: emit into these regions (offsets at 0, data at 0) */
    uint64_t output_data_region;
    uint64_t output_offsets_region_size; /* host: size now; worker: size after the call (it grows them) */
    uint64_t output_data_region_size;
    uint64_t output_base_count;  /* host: records the buffer holds; the call appends after them */
    uint64_t output_base_used;   /* host: their bytes (offsets[output_base_count] == output_base_used) */
    uint64_t output_max_bytes;   /* host: the buffer's data limit (reserve past it: NP_ERR_OUT_OF_MEMORY) */
    uint64_t output_max_records; /* host: the buffer's record limit */
    /* ---- stderr (v3) ---- */
    uint32_t log_written; /* host: 0 with each request; worker: 1 once it wrote a log line to stderr in it. The host
                           * reads stderr after a request that logged, and otherwise only every
                           * NPW_STDERR_DRAIN_EVERY requests, while it blocks, and at the worker's end: what a plugin
                           * writes to stderr itself may reach the host's log a few calls later */
    uint32_t log_reserved;
    char message[NPW_MESSAGE_MAX];
} npw_control_t;

/* Every field with its offset, for the host's check of its own copy of this layout (nplug-worker --layout). */
/* clang-format off */
#define NPW_CONTROL_FIELDS(X) \
    X(magic) \
    X(version) \
    X(op) \
    X(instance) \
    X(request_value) \
    X(input_size) \
    X(input_count) \
    X(input_offsets_at) \
    X(input_data_at) \
    X(arg_len) \
    X(result) \
    X(status) \
    X(nph_error) \
    X(detail_code) \
    X(plugin_text_at) \
    X(message_len) \
    X(value) \
    X(output_size) \
    X(output_count) \
    X(output_data_used) \
    X(output_offsets_at) \
    X(output_data_at) \
    X(stats) \
    X(served) \
    X(request_seq) \
    X(reply_seq) \
    X(host_waiting) \
    X(worker_waiting) \
    X(host_cpu) \
    X(worker_cpu) \
    X(chain_count) \
    X(chain_flags) \
    X(chain_at) \
    X(chain_op) \
    X(chain_instance) \
    X(chain_records_out) \
    X(chain_bytes_out) \
    X(chain_ns) \
    X(region_messages) \
    X(region_reserved) \
    X(input_offsets_region) \
    X(input_data_region) \
    X(input_offsets_region_size) \
    X(input_data_region_size) \
    X(output_offsets_region) \
    X(output_data_region) \
    X(output_offsets_region_size) \
    X(output_data_region_size) \
    X(output_base_count) \
    X(output_base_used) \
    X(output_max_bytes) \
    X(output_max_records) \
    X(log_written) \
    X(log_reserved) \
    X(message)
/* clang-format on */

#endif /* NPW_PROTOCOL_H */
