using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace NativePlugins.Hosting.Discovery;

/// <summary>
/// The registry cache file, format 2: binary, little-endian, read in one go and decoded without a parser's
/// intermediate tree (format 1, JSON, spent as long parsing as the kernel took to list and stat 1,000 files).
/// <code>
/// header (32 bytes): magic "NPLUGREG", u32 format (2), u32 host ABI major, u32 host ABI minor, u32 entry count,
///                    u64 length of the whole file
/// entry:  str path, i64 size, i64 mtime_ns, i64 ctime_ns, u64 inode, u64 device, str sha256 ("" for none),
///         str policy, record
/// record: u8 ok; bad: str reason (the PluginLoadError's name: its number may change between versions), str detail; good: str sdk, u64 flags, u32 x 4 (agreed, library ABI),
///         u64 fingerprint, u32 plugin count, per plugin: str id, name, version, description, vendor,
///         u32 threading, u32 interface count, per interface: str id, u32 struct_size, u64 fingerprint
/// str:    u32 byte length, UTF-8 bytes
/// </code>
/// The length in the header catches a truncated file; every read is bounds-checked, so a damaged file is refused
/// (<see cref="Read"/> returns null) rather than read past its end. Entries are in ordinal path order.
/// </summary>
internal static class RegistryCacheFormat
{
    public const uint Version = 2;
    private const int HeaderBytes = 32;
    private static ReadOnlySpan<byte> Magic => "NPLUGREG"u8;

    /// <summary>True when <paramref name="bytes"/> start like a file of this format (of any version).</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    public static byte[] Write(IReadOnlyDictionary<string, RegistryCache.Entry> entries, AbiVersion hostAbi)
    {
        var w = new Writer(64 * 1024);
        w.Bytes(Magic);
        w.U32(Version);
        w.U32(hostAbi.Major);
        w.U32(hostAbi.Minor);
        w.U32((uint)entries.Count);
        w.U64(0); // the length, patched below
        foreach (var (file, e) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.Str(file);
            w.U64((ulong)e.Stamp.Size);
            w.U64((ulong)e.Stamp.MtimeNs);
            w.U64((ulong)e.Stamp.CtimeNs);
            w.U64(e.Stamp.Inode);
            w.U64(e.Stamp.Device);
            w.Str(e.Sha256 ?? "");
            w.Str(e.Policy);
            WriteRecord(ref w, e.Record);
        }
        var bytes = w.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), (ulong)bytes.Length);
        return bytes;
    }

    /// <summary>The entries, or null when the bytes are not a complete file of this format for this host ABI.</summary>
    public static Dictionary<string, RegistryCache.Entry>? Read(ReadOnlySpan<byte> bytes, AbiVersion hostAbi)
    {
        if (bytes.Length < HeaderBytes || !bytes.StartsWith(Magic)) return null;
        var r = new Reader(bytes) { Position = Magic.Length };
        if (r.U32() != Version || r.U32() != hostAbi.Major || r.U32() != hostAbi.Minor) return null;
        uint count = r.U32();
        if (r.U64() != (ulong)bytes.Length) return null; // truncated, or something appended
        // Each entry takes at least 61 bytes (a bad record with every string empty): a count beyond that is damage,
        // not a reason to allocate.
        if (count > (uint)bytes.Length / 61) return null;
        var entries = new Dictionary<string, RegistryCache.Entry>((int)count, StringComparer.Ordinal);
        for (uint i = 0; i < count; i++)
        {
            var path = r.Str();
            var stamp = new FileStamp((long)r.U64(), (long)r.U64(), (long)r.U64(), r.U64(), r.U64());
            var sha = r.Str();
            var policy = r.Str();
            var record = ReadRecord(ref r);
            if (r.Failed || record is null) return null;
            entries[path] = new RegistryCache.Entry(stamp, sha.Length == 0 ? null : sha, policy, record);
        }
        return r.Failed || r.Position != bytes.Length ? null : entries;
    }

    private static void WriteRecord(ref Writer w, ScanRecord record)
    {
        w.U8(record.Ok ? (byte)1 : (byte)0);
        if (record.Reason is { } reason)
        {
            w.Str(reason.ToString());
            w.Str(record.Detail);
            return;
        }
        w.Str(record.Sdk);
        w.U64(record.Flags);
        w.U32(record.Agreed.Major);
        w.U32(record.Agreed.Minor);
        w.U32(record.LibraryAbi.Major);
        w.U32(record.LibraryAbi.Minor);
        w.U64(record.Fingerprint);
        w.U32((uint)record.Plugins.Length);
        foreach (var p in record.Plugins)
        {
            w.Str(p.Id);
            w.Str(p.Name);
            w.Str(p.Version);
            w.Str(p.Description);
            w.Str(p.Vendor);
            w.U32(p.Threading);
            w.U32((uint)p.Interfaces.Length);
            foreach (var i in p.Interfaces)
            {
                w.Str(i.Id);
                w.U32(i.StructSize);
                w.U64(i.Fingerprint);
            }
        }
    }

    private static ScanRecord? ReadRecord(ref Reader r)
    {
        byte ok = r.U8();
        if (ok == 0)
        {
            var name = r.Str();
            var detail = r.Str();
            return Enum.TryParse<PluginLoadError>(name, out var reason) && Enum.IsDefined(reason) && !char.IsAsciiDigit(name[0])
                ? ScanRecord.Bad(reason, detail)
                : null;
        }
        if (ok != 1) return null;
        var sdk = r.Str();
        ulong flags = r.U64();
        var agreed = new AbiVersion(r.U32(), r.U32());
        var library = new AbiVersion(r.U32(), r.U32());
        ulong fingerprint = r.U64();
        uint pluginCount = r.U32();
        if (r.Failed || pluginCount > (uint)r.Remaining) return null;
        var plugins = ImmutableArray.CreateBuilder<ScannedPlugin>((int)pluginCount);
        for (uint p = 0; p < pluginCount; p++)
        {
            string id = r.Str(), name = r.Str(), version = r.Str(), description = r.Str(), vendor = r.Str();
            uint threading = r.U32(), interfaceCount = r.U32();
            if (r.Failed || interfaceCount > (uint)r.Remaining) return null;
            var interfaces = ImmutableArray.CreateBuilder<ScannedInterface>((int)interfaceCount);
            for (uint i = 0; i < interfaceCount; i++)
                interfaces.Add(new ScannedInterface(r.Str(), r.U32(), r.U64()));
            if (r.Failed) return null;
            plugins.Add(new ScannedPlugin(id, name, version, description, vendor, threading, interfaces.MoveToImmutable()));
        }
        return new ScanRecord
        {
            Sdk = sdk,
            Flags = flags,
            Agreed = agreed,
            LibraryAbi = library,
            Fingerprint = fingerprint,
            Plugins = plugins.MoveToImmutable(),
        };
    }

    /// <summary>Appends little-endian values to a growing buffer.</summary>
    private struct Writer(int capacity)
    {
        private byte[] _buffer = new byte[capacity];
        private int _length;

        private Span<byte> Take(int n)
        {
            if (_length + n > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
            var span = _buffer.AsSpan(_length, n);
            _length += n;
            return span;
        }

        public void Bytes(ReadOnlySpan<byte> b) => b.CopyTo(Take(b.Length));
        public void U8(byte v) => Take(1)[0] = v;
        public void U32(uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), v);
        public void U64(ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), v);

        public void Str(string s)
        {
            int n = Encoding.UTF8.GetByteCount(s);
            U32((uint)n);
            Encoding.UTF8.GetBytes(s, Take(n));
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();
    }

    /// <summary>Reads little-endian values; past the end it sets <see cref="Failed"/> and returns zeros (checked
    /// once per entry instead of after every field).</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        public int Position;
        public bool Failed;

        public readonly int Remaining => _bytes.Length - Position;

        private ReadOnlySpan<byte> Take(int n)
        {
            if (Failed || n < 0 || n > _bytes.Length - Position)
            {
                Failed = true;
                return default;
            }
            var span = _bytes.Slice(Position, n);
            Position += n;
            return span;
        }

        public byte U8() => Take(1) is { Length: 1 } b ? b[0] : (byte)0;
        public uint U32() => Take(4) is { Length: 4 } b ? BinaryPrimitives.ReadUInt32LittleEndian(b) : 0;
        public ulong U64() => Take(8) is { Length: 8 } b ? BinaryPrimitives.ReadUInt64LittleEndian(b) : 0;

        public string Str()
        {
            uint n = U32();
            if (n > int.MaxValue) { Failed = true; return ""; }
            var b = Take((int)n);
            return Failed ? "" : Encoding.UTF8.GetString(b);
        }
    }
}
