using System.Diagnostics;

namespace NativePlugins.Hosting;

/// <summary>
/// Transform stages run in sequence over one stream. Each stage writes into its own host-owned
/// <see cref="RecordBuffer"/>, and that buffer is handed to the next stage as its input batch directly (batch and
/// emitter share one layout), so records cross the pipeline without being copied by the host.
/// A pipeline processes one stream at a time: it is not thread-safe. A pipeline that owns its stages follows hot
/// reloads: between two batches it moves a stage whose library was reloaded to an instance of the new version
/// (Pipeline.Succession.cs). Consecutive isolated stages that share a worker run as one request to it
/// (Pipeline.Chains.cs).
/// </summary>
public sealed partial class Pipeline : IDisposable
{
    private readonly TransformInstance[] _stages;
    private readonly RecordBuffer[] _buffers;
    private readonly PipelineStageStats[] _stats;
    private readonly bool _ownsStages;
    private readonly bool _measureTime;
    private bool _disposed;

    /// <summary>Chains existing instances.</summary>
    /// <param name="stages">At least one stage, in order.</param>
    /// <param name="ownsStages">Dispose the instances with the pipeline.</param>
    /// <param name="initialDataCapacity">Initial bytes of each stage's output buffer.</param>
    /// <param name="initialRecordCapacity">Initial records of each stage's output buffer.</param>
    /// <param name="measureTime">Also measure the wall time of every stage call (<see cref="PipelineStageStats.Elapsed"/>).
    /// Off by default: a clock read costs about as much as a call into a small plugin (20 ns on a VM), which a
    /// pipeline of small batches would pay once per stage per batch.</param>
    public Pipeline(IEnumerable<TransformInstance> stages, bool ownsStages = false,
        int initialDataCapacity = RecordBuffer.DefaultDataCapacity, int initialRecordCapacity = RecordBuffer.DefaultRecordCapacity,
        bool measureTime = false)
    {
        _measureTime = measureTime;
        _stages = stages.ToArray();
        if (_stages.Length == 0) throw new ArgumentException("a pipeline needs at least one stage", nameof(stages));
        _ownsStages = ownsStages;
        // A buffer an isolated stage writes, or one it reads, is shared memory its worker maps: the batch then
        // crosses without a copy (RecordBuffer.CreateShared). Restricted workers are never handed host memory.
        _buffers = _stages.Select((_, i) => SharesWithWorker(i) || SharesWithWorker(i + 1)
            ? RecordBuffer.CreateShared(initialDataCapacity, initialRecordCapacity)
            : new RecordBuffer(initialDataCapacity, initialRecordCapacity)).ToArray();
        _stats = _stages.Select(s => new PipelineStageStats(s)).ToArray();
        _host = _stages[0].Library.Host;
        _seenGeneration = _host.ReloadGeneration;
        _chainEnd = new int[_stages.Length];
        PlanChains();
    }

    private bool SharesWithWorker(int stage) =>
        stage < _stages.Length && _stages[stage].IsolatedBackend is { } isolated && !isolated.Library.Options.Restricted;

    /// <summary>The stages, in order.</summary>
    public IReadOnlyList<TransformInstance> Stages => _stages;

    /// <summary>Per-stage counters since the pipeline was created, and time when it was created with
    /// <c>measureTime: true</c>.</summary>
    public IReadOnlyList<PipelineStageStats> Stats => _stats;

    /// <summary>Runs a batch through every stage. The result is a view of the last stage's output, valid until the
    /// next <see cref="Process(RecordBatch)"/>/<see cref="Flush"/> or disposal.</summary>
    public RecordBatch Process(RecordBatch input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ownsStages && _host.ReloadGeneration != _seenGeneration) FollowReloads();
        var current = input;
        var time = _measureTime ? Stopwatch.GetTimestamp() : 0;
        for (int i = 0; i < _stages.Length; i++)
        {
            if (_chainEnd[i] > i + 1 && TryRunChain(i, current, flush: false, ref time))
            {
                i = _chainEnd[i] - 1;
                current = _buffers[i].AsBatch();
                continue;
            }
            var output = _buffers[i];
            output.Clear();
            if (_retiring is not null && _retiring[i] is { } retired) time = Retire(i, retired, output, time);
            time = Run(i, _stages[i], current, output, flush: false, time);
            current = output.AsBatch();
        }
        return current;
    }

    /// <summary>Runs the records of <paramref name="input"/> through every stage.</summary>
    public RecordBatch Process(RecordBuffer input) => Process(input.AsBatch());

    /// <summary>Ends the stream: flushes stage 0, runs what it emitted through stage 1, flushes stage 1, and so on.
    /// Returns everything the last stage emitted as a result (a view, valid as for <see cref="Process(RecordBatch)"/>).
    /// Every stage is reset afterwards and the pipeline can take another stream.</summary>
    public RecordBatch Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ownsStages && _host.ReloadGeneration != _seenGeneration) FollowReloads();
        var upstream = RecordBatch.Empty;
        var time = _measureTime ? Stopwatch.GetTimestamp() : 0;
        for (int i = 0; i < _stages.Length; i++)
        {
            if (_chainEnd[i] > i + 1 && TryRunChain(i, upstream, flush: true, ref time))
            {
                i = _chainEnd[i] - 1;
                upstream = _buffers[i].AsBatch();
                continue;
            }
            var output = _buffers[i];
            output.Clear();
            if (_retiring is not null && _retiring[i] is { } retired) time = Retire(i, retired, output, time);
            if (!upstream.IsEmpty) time = Run(i, _stages[i], upstream, output, flush: false, time);
            time = Run(i, _stages[i], default, output, flush: true, time);
            upstream = output.AsBatch();
        }
        return upstream;
    }

    /// <summary>Disposes the buffers and, when the pipeline owns them, the stages. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var b in _buffers) b.Dispose();
        if (_ownsStages)
        {
            foreach (var s in _stages) s.Dispose();
            if (_retiring is not null)
                foreach (var s in _retiring) s?.Dispose();
        }
    }

    /// <summary>Runs one stage call and charges its time. Stages run back to back, so one stage's end timestamp is
    /// the next one's start: one clock read per stage call, not two (a clock read costs about as much as a call
    /// into a trivial plugin).</summary>
    private long Run(int index, TransformInstance stage, RecordBatch input, RecordBuffer output, bool flush, long start)
    {
        var stats = _stats[index];
        var before = output.Count;
        var bytesBefore = output.DataLength;
        long end = start;
        try
        {
            if (flush) stage.Flush(output);
            else stage.Process(input, output);
        }
        finally
        {
            if (_measureTime)
            {
                end = Stopwatch.GetTimestamp();
                stats.ElapsedTimestamp += end - start;
            }
            stats.Calls++;
            if (!flush)
            {
                stats.RecordsIn += input.Count;
                stats.BytesIn += input.DataLength;
            }
            stats.RecordsOut += output.Count - before;
            stats.BytesOut += output.DataLength - bytesBefore;
        }
        return end;
    }
}
