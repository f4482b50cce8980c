using System.Diagnostics;
using NativePlugins.Hosting.Isolation;

namespace NativePlugins.Hosting;

// Isolated stages that share a worker (one library, PluginIsolation.ProcessPerLibrary) run as one chain request to
// it (Isolation/IsolatedChain.cs): the batch crosses into the worker once, the stages hand records to each other
// there, and the last stage's output crosses back once into that stage's buffer; the buffers of the chain's other
// stages stay empty. Errors, crashes, restarts and stats are per stage, as when each stage is its own call. Stages in
// different workers (ProcessPerInstance, other libraries, in-process stages) keep one call each. A stage being
// retired after a hot reload (Pipeline.Succession.cs) is run on its own for that one batch.
public sealed partial class Pipeline
{
    private readonly int[] _chainEnd; // per stage: one past the last stage of the chain that starts here (i + 1: none)
    private ChainCounts? _chainCounts;

    /// <summary>Finds the runs of consecutive stages that can chain (at most NPW_CHAIN_MAX each).</summary>
    private void PlanChains()
    {
        for (int i = 0; i < _stages.Length;)
        {
            int end = i + 1;
            while (end < _stages.Length && end - i < WorkerProtocol.ChainMax && IsolatedChain.CanChain(_stages[i], _stages[end])) end++;
            for (int k = i; k < end; k++) _chainEnd[k] = k == i ? end : k + 1;
            i = end;
        }
    }

    /// <summary>Runs the chain that starts at stage <paramref name="from"/>; false (nothing run) when it cannot run
    /// as one request now (a stage is being retired, or its stages are not in one live worker).</summary>
    private bool TryRunChain(int from, RecordBatch input, bool flush, ref long time)
    {
        int end = _chainEnd[from];
        if (_retiring is not null)
            for (int k = from; k < end; k++)
                if (_retiring[k] is not null) return false;
        for (int k = from; k < end; k++) _buffers[k].Clear();
        var counts = _chainCounts ??= new ChainCounts();
        counts.Reached = 0;
        bool ran;
        try
        {
            ran = IsolatedChain.TryRun(_stages.AsSpan(from, end - from), input, _buffers[end - 1], flush, _measureTime, counts);
        }
        finally
        {
            for (int k = 0; k < counts.Reached; k++)
            {
                var stats = _stats[from + k];
                stats.Calls += counts.Calls[k];
                stats.RecordsIn += counts.RecordsIn[k];
                stats.BytesIn += counts.BytesIn[k];
                stats.RecordsOut += counts.RecordsOut[k];
                stats.BytesOut += counts.BytesOut[k];
                // The worker timed each stage's calls; the round trip itself is charged to no stage.
                if (_measureTime) stats.ElapsedTimestamp += counts.Nanoseconds[k] * Stopwatch.Frequency / 1_000_000_000;
            }
            if (_measureTime) time = Stopwatch.GetTimestamp();
        }
        return ran;
    }
}
