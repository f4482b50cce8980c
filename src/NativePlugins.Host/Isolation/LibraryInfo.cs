using System.Collections.Immutable;
using System.Text;

namespace NativePlugins.Hosting.Isolation;

/// <summary>What a worker reported of the library it loaded and validated (LOAD's reply, npw_protocol.h "Library
/// info"), decoded into the host's own types.</summary>
internal sealed class LibraryInfo
{
    public required AbiVersion Agreed { get; init; }
    public required AbiVersion LibraryAbi { get; init; }
    public required bool HasLayoutReport { get; init; }
    public required ulong LayoutFingerprint { get; init; }
    public required ulong Flags { get; init; }
    public required string Sdk { get; init; }
    public required ImmutableArray<PluginInfo> Plugins { get; set; }

    /// <summary>Per plugin (same order): np.transform/1's stats is usable.</summary>
    public required ImmutableArray<bool> HasStats { get; init; }

    /// <summary>Decodes <paramref name="bytes"/>; a malformed reply (a worker of another build) is an
    /// <see cref="InvalidDataException"/>.</summary>
    public static LibraryInfo Read(ReadOnlySpan<byte> bytes, string file)
    {
        var r = new Reader(bytes);
        uint agreed = r.U32(), major = r.U32(), minor = r.U32();
        bool report = r.U32() != 0;
        ulong fingerprint = r.U64(), flags = r.U64();
        string sdk = r.Str();
        uint count = r.U32();
        var plugins = ImmutableArray.CreateBuilder<PluginInfo>((int)Math.Min(count, 4096));
        var stats = ImmutableArray.CreateBuilder<bool>((int)Math.Min(count, 4096));
        var agreedAbi = new AbiVersion(Interop.NpAbi.NP_ABI_MAJOR, agreed);
        var reports = new Dictionary<(int Plugin, string Interface), ReportedLayout>();
        for (uint i = 0; i < count; i++)
        {
            string id = r.Str(), name = r.Str(), version = r.Str(), description = r.Str(), vendor = r.Str();
            var threading = (PluginThreading)r.U32();
            uint interfaces = r.U32();
            var ids = ImmutableArray.CreateBuilder<string>((int)Math.Min(interfaces, 4096));
            var details = ImmutableArray.CreateBuilder<InterfaceDetail>((int)Math.Min(interfaces, 4096));
            for (uint k = 0; k < interfaces; k++)
            {
                var iface = r.Str();
                ids.Add(iface);
                uint structSize = r.U32();
                ulong layout = r.U64();
                details.Add(new InterfaceDetail(iface, structSize, layout == 0 ? null : layout, null));
                if (layout != 0)
                {
                    var reported = ReportedLayout.Read(ref r);
                    if (!reports.TryAdd((plugins.Count, iface), reported)) reported.Dispose(); // a duplicate id: refused at load
                }
            }
            stats.Add(r.U32() != 0);
            plugins.Add(new PluginInfo(id, name, version, description, vendor, ids.ToImmutable(), threading, file, agreedAbi)
            {
                InterfaceDetails = details.ToImmutable(),
            });
        }
        return new LibraryInfo
        {
            Agreed = agreedAbi,
            LibraryAbi = new AbiVersion(major, minor),
            HasLayoutReport = report,
            LayoutFingerprint = fingerprint,
            Flags = flags,
            Sdk = sdk,
            Plugins = plugins.ToImmutable(),
            HasStats = stats.ToImmutable(),
            _reports = reports,
        };
    }

    // The layout reports beside the interface fingerprints, by plugin index and interface id: for the load checks only.
    private Dictionary<(int Plugin, string Interface), ReportedLayout> _reports = [];

    /// <summary>The load checks of every registered interface a plugin lists (<see cref="Loading.InterfaceValidator.ReportedMinor"/>):
    /// throws the refusal, else records in each such <see cref="InterfaceDetail"/> the minor the host reads it at.</summary>
    /// <summary>Frees the rebuilt layout reports unread (the info of a restarted worker, checked at load already).</summary>
    public void ReleaseReports()
    {
        foreach (var report in _reports.Values) report.Dispose();
        _reports.Clear();
    }

    public unsafe void CheckRegisteredInterfaces(Interfaces.InterfaceRegistry registry, string file)
    {
        try
        {
            Plugins = Plugins.Select((p, i) => p with
            {
                InterfaceDetails = p.InterfaceDetails.Select(d => registry.Find(d.Id) is { } itf
                    ? d with
                    {
                        Minor = Loading.InterfaceValidator.ReportedMinor(file, p.Id, itf, d.StructSize, d.LayoutFingerprint,
                            _reports.TryGetValue((i, d.Id), out var report) ? report.Report : null),
                    }
                    : d).ToImmutableArray(),
            }).ToImmutableArray();
        }
        finally
        {
            ReleaseReports();
        }
    }

    internal ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public uint U32() => BitConverter.ToUInt32(Take(4));

        public ulong U64() => BitConverter.ToUInt64(Take(8));

        public string Str() => Encoding.UTF8.GetString(Take((int)U32()));

        public ReadOnlySpan<byte> Bytes(int n) => Take(n);

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || n > _rest.Length)
                throw new InvalidDataException("the worker's library info is cut short (a worker of another build?)");
            var s = _rest[..n];
            _rest = _rest[n..];
            return s;
        }
    }
}
