using NativePlugins.Hosting.Instances;

namespace NativePlugins.Hosting.Isolation;

/// <summary>What each stage of one chained call did, for the pipeline's per-stage stats (filled even when the
/// call throws: <see cref="Reached"/> stages have valid counts, the last of them being the one that failed).</summary>
internal sealed class ChainCounts
{
    public readonly long[] RecordsIn = new long[WorkerProtocol.ChainMax];
    public readonly long[] BytesIn = new long[WorkerProtocol.ChainMax];
    public readonly long[] RecordsOut = new long[WorkerProtocol.ChainMax];
    public readonly long[] BytesOut = new long[WorkerProtocol.ChainMax];
    public readonly int[] Calls = new int[WorkerProtocol.ChainMax];
    public readonly long[] Nanoseconds = new long[WorkerProtocol.ChainMax];
    public int Reached;
}

/// <summary>
/// Consecutive pipeline stages whose instances live in one worker (<see cref="PluginIsolation.ProcessPerLibrary"/>,
/// one library) run as one request, PROCESS_CHAIN or FLUSH_CHAIN (npw_protocol.h): the batch is copied into the
/// worker once, the stages hand records to each other in the worker's own buffers, and the last stage's output is
/// copied once into the caller's buffer. Every semantic of one call per stage stays: a failure is the failing
/// stage's <see cref="PluginCallException"/> (its plugin and file, the operation it was in); a crash or a missed
/// deadline is the <see cref="PluginCrashedException"/> of the stage that was running, with the chain's input handed
/// back (every stage of the chain lost its state with the worker, so the whole chain's input is what was not
/// processed) and nothing appended to the output; each stage is recreated at its next call under the restart policy.
/// </summary>
internal static unsafe class IsolatedChain
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> always share a worker, so they can chain.</summary>
    public static bool CanChain(TransformInstance a, TransformInstance b) =>
        a.IsolatedBackend is { } x && b.IsolatedBackend is { } y && ReferenceEquals(x.Library, y.Library) &&
        x.Library.Mode == PluginIsolation.ProcessPerLibrary;

    /// <summary>
    /// Runs <paramref name="stages"/> as one chain over <paramref name="input"/> (flush: each stage processes what
    /// reaches it, if anything, then flushes), appending the last stage's output to <paramref name="output"/> (only on
    /// success). False, with nothing run, when the stages are not in one live worker right now (a restart in
    /// between): the caller then runs them one by one.
    /// </summary>
    public static bool TryRun(ReadOnlySpan<TransformInstance> stages, RecordBatch input, RecordBuffer output, bool flush,
        bool timed, ChainCounts counts)
    {
        int n = stages.Length;
        counts.Reached = 0;
        string op = flush ? "flush" : "process";
        Span<CallPath> paths = stackalloc CallPath[n];
        int entered = 0, locked = 0;
        try
        {
            for (; entered < n; entered++) paths[entered] = stages[entered].EnterChained(op);
            for (; locked < n; locked++) stages[locked].IsolatedBackend!.CallLock.Enter();
            WorkerProcess? w = null;
            for (int i = 0; i < n; i++)
            {
                WorkerProcess live;
                try
                {
                    live = stages[i].IsolatedBackend!.LiveWorker(op, input);
                }
                catch (PluginCallException e)
                {
                    stages[i].RecordChainedFailure(op, e); // gave up, or its restart failed
                    throw;
                }
                if (w is null) w = live;
                else if (!ReferenceEquals(w, live)) return false;
            }
            lock (w!.Gate) Send(w, stages, input, output, flush, timed, counts);
            return true;
        }
        finally
        {
            while (locked > 0) stages[--locked].IsolatedBackend!.CallLock.Exit();
            while (entered > 0) stages[--entered].ExitChained(paths[entered]);
        }
    }

    private static void Send(WorkerProcess w, ReadOnlySpan<TransformInstance> stages, RecordBatch input, RecordBuffer output,
        bool flush, bool timed, ChainCounts counts)
    {
        int n = stages.Length;
        IsolatedTransform.WriteBatch(w, input);
        var c = w.Control;
        c->chain_count = (uint)n;
        c->chain_flags = timed ? WorkerProtocol.ChainTime : 0;
        c->chain_at = 0;
        c->chain_op = flush && input.IsEmpty ? WorkerProtocol.OpFlush : WorkerProtocol.OpProcess;
        for (int i = 0; i < n; i++) c->chain_instance[i] = stages[i].IsolatedBackend!.RemoteId;
        var first = stages[0].IsolatedBackend!;
        bool direct = IsolatedTransform.TargetOutput(w, output);
        try
        {
            w.Call(flush ? WorkerProtocol.OpFlushChain : WorkerProtocol.OpProcessChain, first.Library.Options.CallTimeout);
        }
        catch (WorkerDiedException died)
        {
            // The worker wrote which stage and call were running before each one: that stage's fault.
            int at = (int)Math.Min(c->chain_at, (uint)(n - 1));
            Count(c, stages, input, flush, at, failedOp: c->chain_op, counts);
            var fault = stages[at].IsolatedBackend!.ChainedCallDied(w, died, OpName(c->chain_op), input);
            stages[at].RecordChainedFailure(OpName(c->chain_op), fault);
            throw fault;
        }
        for (int i = 0; i < n; i++) stages[i].IsolatedBackend!.ChainedCallReturned();
        if (c->result != WorkerProtocol.ResultOk)
        {
            int at = (int)Math.Min(c->chain_at, (uint)(n - 1));
            Count(c, stages, input, flush, at, failedOp: c->chain_op, counts);
            var failure = stages[at].IsolatedBackend!.ChainedCallFailed(c, OpName(c->chain_op));
            stages[at].RecordChainedFailure(OpName(c->chain_op), failure);
            throw failure;
        }
        Count(c, stages, input, flush, n - 1, failedOp: 0, counts);
        if (!IsolatedTransform.TakeOutput(w, output, direct)) throw OutsideOutput(stages[^1], flush ? "flush" : "process");
    }

    private static string OpName(uint op) => op == WorkerProtocol.OpFlush ? "flush" : "process";

    /// <summary>Per-stage counts from the reply, up to stage <paramref name="last"/> (the failed one, when
    /// <paramref name="failedOp"/> is set), and the metrics of every call that returned.</summary>
    private static void Count(NpwControl* c, ReadOnlySpan<TransformInstance> stages, RecordBatch input, bool flush, int last,
        uint failedOp, ChainCounts counts)
    {
        long inRecords = input.Count, inBytes = input.DataLength;
        for (int i = 0; i <= last; i++)
        {
            bool processed = !flush || inRecords > 0;
            bool failedInProcess = i == last && failedOp == WorkerProtocol.OpProcess;
            counts.RecordsIn[i] = processed ? inRecords : 0;
            counts.BytesIn[i] = processed ? inBytes : 0;
            counts.RecordsOut[i] = (long)c->chain_records_out[i];
            counts.BytesOut[i] = (long)c->chain_bytes_out[i];
            counts.Calls[i] = (processed ? 1 : 0) + (flush && !failedInProcess ? 1 : 0);
            counts.Nanoseconds[i] = (long)c->chain_ns[i];
            if (failedOp == 0 || i < last) stages[i].RecordChainedCall(flush, processed ? inRecords : 0, counts.RecordsOut[i]);
            inRecords = counts.RecordsOut[i];
            inBytes = counts.BytesOut[i];
        }
        counts.Reached = last + 1;
    }

    private static PluginCallException OutsideOutput(TransformInstance last, string op) =>
        new(op, NativePlugins.Interop.NpAbi.NP_ERR_STATE, last.Plugin.Id, last.Plugin.FilePath,
            "the worker described an output batch outside its output memory; the output of this call was discarded",
            protocolViolation: true);
}
