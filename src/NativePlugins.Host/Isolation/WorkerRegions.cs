using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Isolation;

/// <summary>npw_region_message_t.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NpwRegionMessage
{
    public uint kind;
    public uint reserved;
    public ulong id;
    public ulong size;
}

/// <summary>
/// One worker's side of the shared record buffers (npw_protocol.h, "Shared record buffers"): the socket their memfds
/// travel on (SCM_RIGHTS), the regions this worker was handed, and the DROP messages owed to it for buffers disposed
/// since. Messages are sent without blocking and counted into the next request's region_messages, which the worker
/// reads first; a hand-over the socket cannot take now is refused (the call then copies its batch, as for ordinary
/// memory) and drops wait for a later request, so a worker that stopped reading can never block the host.
/// </summary>
internal sealed unsafe class WorkerRegions : IDisposable
{
    private const int MsgDontWait = 0x40;
    private const int MaxDropsPerRequest = 64;
    private static readonly Lock AllGate = new();
    private static readonly List<WorkerRegions> All = [];

    private readonly Lock _gate = new();
    private readonly HashSet<ulong> _known = [];
    private readonly List<ulong> _drops = [];
    private int _socket;
    private uint _queued;

    /// <param name="socket">The host's end of the socketpair (the worker's is on NPW_FD_REGIONS); owned from here.</param>
    public WorkerRegions(int socket)
    {
        _socket = socket;
        lock (AllGate) All.Add(this);
    }

    /// <summary>Regions this worker holds now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _known.Count;
        }
    }

    /// <summary>Hands region <paramref name="id"/> over unless the worker has it; false when it could not be sent.
    /// Called under SharedBuffers' lock, so <paramref name="fd"/> is open.</summary>
    public bool Ensure(ulong id, int fd, ulong size)
    {
        lock (_gate)
        {
            if (_known.Contains(id)) return true;
            if (_socket < 0 || !Send(WorkerProtocol.RegionAdd, id, size, fd)) return false;
            _known.Add(id);
            _queued++;
            return true;
        }
    }

    /// <summary>The buffer of these regions was disposed: every worker that has them is owed a DROP.</summary>
    public static void Dropped(ulong a, ulong b)
    {
        lock (AllGate)
            foreach (var w in All) w.Forget(a, b);
    }

    private void Forget(ulong a, ulong b)
    {
        lock (_gate)
        {
            if (_known.Remove(a)) _drops.Add(a);
            if (_known.Remove(b)) _drops.Add(b);
        }
    }

    /// <summary>Before a request: sends the drops owed (a bounded number) and returns how many messages the worker
    /// must read before serving it.</summary>
    public uint TakeQueued()
    {
        lock (_gate)
        {
            int sent = 0;
            while (sent < _drops.Count && sent < MaxDropsPerRequest && _socket >= 0 &&
                   Send(WorkerProtocol.RegionDrop, _drops[sent], 0, -1))
                sent++;
            _drops.RemoveRange(0, sent);
            uint n = _queued + (uint)sent;
            _queued = 0;
            return n;
        }
    }

    private bool Send(uint kind, ulong id, ulong size, int fd)
    {
        var m = new NpwRegionMessage { kind = kind, id = id, size = size };
        var iov = new WorkerLibc.IoVec { Base = &m, Length = (nuint)sizeof(NpwRegionMessage) };
        var rights = new WorkerLibc.RightsMessage { Length = 20, Level = WorkerLibc.SolSocket, Type = WorkerLibc.ScmRights, Fd = fd };
        var h = new WorkerLibc.MsgHdr { Iov = &iov, IovLength = 1 };
        if (fd >= 0)
        {
            h.Control = &rights;
            h.ControlLength = (nuint)sizeof(WorkerLibc.RightsMessage);
        }
        nint r;
        do r = WorkerLibc.SendMsg(_socket, &h, WorkerLibc.MsgNoSignal | MsgDontWait);
        while (r < 0 && WorkerLibc.LastError == WorkerLibc.EINTR);
        return r == sizeof(NpwRegionMessage);
    }

    public void Dispose()
    {
        lock (AllGate) All.Remove(this);
        lock (_gate)
        {
            if (_socket >= 0) WorkerLibc.Close(_socket);
            _socket = -1;
            _known.Clear();
            _drops.Clear();
        }
    }
}
