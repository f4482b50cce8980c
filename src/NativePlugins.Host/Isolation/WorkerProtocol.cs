using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// The host's view of native/worker/include/npw_protocol.h, the internal host-worker protocol (not the plugin
/// ABI). A copy by hand, checked field by field against the C compiler's layout by a test
/// (<c>WorkerProtocolLayoutTests</c>, which reads <c>nplug-worker --layout</c>); the version must match exactly.
/// </summary>
internal static class WorkerProtocol
{
    public const uint Version = 3;
    public const uint Magic = 0x4b57504e; // "NPWK"
    public const int ControlBytes = 16384;
    public const int MessageMax = 8192;
    public const string LogPrefix = "\u001enpw-log\t";

    /// <summary>NPW_SPIN_SLACK_NS: added to twice the average wait, the spin budget (AdaptiveSpin).</summary>
    public const long SpinSlackNanoseconds = 25_000;

    /// <summary>NPW_STDERR_DRAIN_EVERY: a request that logged nothing is followed by a read of stderr only this often.</summary>
    public const int StderrDrainEvery = 64;

    /// <summary>NPW_SPIN_MAX_DEFAULT_NS: the worker's spin limit when it is given none.</summary>
    public const long SpinMaxDefaultNanoseconds = 200_000;

    // Descriptor numbers in the worker.
    public const int FdControl = 3, FdInput = 4, FdOutput = 5, FdRequest = 6, FdReply = 7, FdRegions = 8;

    // npw_region_kind_t
    public const uint RegionAdd = 1, RegionDrop = 2;

    // npw_op_t
    public const uint OpLoad = 1, OpCreate = 2, OpProcess = 3, OpFlush = 4, OpStats = 5, OpDestroy = 6, OpPing = 7, OpExit = 8;
    public const uint OpProcessChain = 9, OpFlushChain = 10;
    public const uint OpSaveState = 11, OpRestoreState = 12;

    /// <summary>NPW_CHAIN_MAX: stages per chain request.</summary>
    public const int ChainMax = 16;

    /// <summary>NPW_CHAIN_TIME: the worker measures each chained stage's wall time.</summary>
    public const uint ChainTime = 1;

    // npw_call_op: calls of a host's own interface (IsolatedInstance)
    public const uint OpCallCreate = 16, OpCall = 17, OpCallDestroy = 18;

    // npw_result_t
    public const int ResultOk = 0, ResultFailed = 1, ResultBadRequest = 2;

    // Exit codes of the worker itself.
    public const int ExitUsage = 64, ExitVersion = 65, ExitChannel = 66, ExitOrphan = 67;

    // nph_error_t of np_c_host (native/c-host/include/nplug_host/nph_diag.h), as the worker reports refusals.
    public const int NphOpen = 2, NphNoEntry = 3, NphVersion = 4, NphEntry = 5, NphLayout = 6, NphInvalid = 7,
        NphDuplicate = 8, NphInit = 9, NphNotFound = 10, NphPlugin = 11, NphProtocol = 12, NphMemory = 13;
}

/// <summary>npw_control_t: the request and reply fields in the control memfd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NpwControl
{
    public uint magic;
    public uint version;
    public uint op;
    public uint instance;
    public ulong request_value;
    public ulong input_size;
    public ulong input_count;
    public ulong input_offsets_at;
    public ulong input_data_at;
    public ulong arg_len;
    public int result;
    public int status;
    public int nph_error;
    public int detail_code;
    public uint plugin_text_at;
    public uint message_len;
    public ulong value;
    public ulong output_size;
    public ulong output_count;
    public ulong output_data_used;
    public ulong output_offsets_at;
    public ulong output_data_at;
    public fixed ulong stats[4];
    public ulong served;
    public uint request_seq;
    public uint reply_seq;
    public uint host_waiting;
    public uint worker_waiting;
    public uint host_cpu;
    public uint worker_cpu;
    public uint chain_count;
    public uint chain_flags;
    public uint chain_at;
    public uint chain_op;
    public fixed uint chain_instance[WorkerProtocol.ChainMax];
    public fixed ulong chain_records_out[WorkerProtocol.ChainMax];
    public fixed ulong chain_bytes_out[WorkerProtocol.ChainMax];
    public fixed ulong chain_ns[WorkerProtocol.ChainMax];
    public uint region_messages;
    public uint region_reserved;
    public ulong input_offsets_region;
    public ulong input_data_region;
    public ulong input_offsets_region_size;
    public ulong input_data_region_size;
    public ulong output_offsets_region;
    public ulong output_data_region;
    public ulong output_offsets_region_size;
    public ulong output_data_region_size;
    public ulong output_base_count;
    public ulong output_base_used;
    public ulong output_max_bytes;
    public ulong output_max_records;
    public uint log_written;
    public uint log_reserved;
    public fixed byte message[WorkerProtocol.MessageMax];
}
