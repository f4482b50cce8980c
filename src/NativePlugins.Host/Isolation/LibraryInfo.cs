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
    public required ImmutableArray<PluginInfo> Plugins { get; init; }

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
                details.Add(new InterfaceDetail(iface, r.U32(), null, null));
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
        };
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public uint U32() => BitConverter.ToUInt32(Take(4));

        public ulong U64() => BitConverter.ToUInt64(Take(8));

        public string Str() => Encoding.UTF8.GetString(Take((int)U32()));

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
