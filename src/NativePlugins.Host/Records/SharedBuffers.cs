using NativePlugins.Hosting.Isolation;

namespace NativePlugins.Hosting.Records;

/// <summary>Where a batch in a shared record buffer lies: the two regions of npw_protocol.h ("Shared record
/// buffers") and their sizes now.</summary>
internal readonly record struct SharedBatchRegions(ulong OffsetsRegion, ulong OffsetsSize, ulong DataRegion, ulong DataSize);

/// <summary>
/// The shared record buffers alive in this process (<see cref="RecordBuffer.CreateShared"/>): region ids, the lookup
/// from a batch to the buffer it views (so that any <see cref="RecordBatch"/> over one crosses into a worker without
/// a copy), and the hand-over of their memfds to workers. Handing over and disposing take one lock, so a descriptor
/// is never sent after its buffer closed it; a disposed buffer's regions are dropped from every worker that had them
/// (<see cref="WorkerRegions"/>).
/// </summary>
internal static unsafe class SharedBuffers
{
    private static readonly Lock Gate = new();
    private static readonly List<nint> Blocks = [];
    private static ulong _lastId;

    public static void Register(EmitterBlock* b)
    {
        lock (Gate)
        {
            b->DataRegion = ++_lastId;
            b->OffsetsRegion = ++_lastId;
            Blocks.Add((nint)b);
        }
    }

    public static void Unregister(EmitterBlock* b)
    {
        lock (Gate)
        {
            if (!Blocks.Remove((nint)b)) return;
            WorkerRegions.Dropped(b->DataRegion, b->OffsetsRegion);
        }
    }

    /// <summary>
    /// When <paramref name="batch"/> is the whole of a live shared buffer (what <see cref="RecordBuffer.AsBatch"/>
    /// gives), hands its regions to <paramref name="worker"/> if it has not got them yet and returns where they are;
    /// false when the batch lies in ordinary memory (the caller copies it).
    /// </summary>
    public static bool TryHandOver(RecordBatch batch, WorkerRegions worker, out SharedBatchRegions regions)
    {
        regions = default;
        byte* data = batch.DataPointer;
        ulong* offsets = batch.OffsetsPointer;
        if (offsets == null) return false;
        lock (Gate)
        {
            foreach (var p in Blocks)
            {
                var b = (EmitterBlock*)p;
                if (b->Offsets != offsets || (b->Data != data && batch.Count > 0)) continue;
                if ((ulong)batch.Count >= b->OffsetsCapacity || (ulong)batch.DataLength > b->DataCapacity) return false;
                return HandOver(b, worker, out regions);
            }
        }
        return false;
    }

    /// <summary>Hands the regions of the shared block <paramref name="b"/> (an output buffer) to <paramref name="worker"/>.</summary>
    public static bool TryHandOver(EmitterBlock* b, WorkerRegions worker, out SharedBatchRegions regions)
    {
        lock (Gate)
        {
            regions = default;
            return b->Shared != 0 && Blocks.Contains((nint)b) && HandOver(b, worker, out regions);
        }
    }

    private static bool HandOver(EmitterBlock* b, WorkerRegions worker, out SharedBatchRegions regions)
    {
        regions = new SharedBatchRegions(b->OffsetsRegion, b->OffsetsMapBytes, b->DataRegion, b->DataMapBytes);
        return worker.Ensure(b->OffsetsRegion, b->OffsetsFd, b->OffsetsMapBytes) &&
               worker.Ensure(b->DataRegion, b->DataFd, b->DataMapBytes);
    }
}
