// The parts of NpAbiLayout that are logic, not data: fingerprints recomputed from the manifest, this compiler's
// layout report in native memory, lookups. The data half is Generated/NpAbiLayout.g.cs.
using System.Text;

namespace NativePlugins.Interop;

public static unsafe partial class NpAbiLayout
{
    private static readonly Lazy<NpStructLayout[]> CompilerViewLazy = new(CreateCompilerView);
    private static readonly object ReportLock = new();
    private static np_layout_report_t* _nativeReport;

    /// <summary>This C# compiler's layout of every ABI struct (sizeof, alignment, field offsets by pointer
    /// arithmetic on the generated structs), in manifest order. Equal to <see cref="Structs"/> on a conforming
    /// runtime; the Interop tests check that it is.</summary>
    public static IReadOnlyList<NpStructLayout> CompilerView => CompilerViewLazy.Value;

    /// <summary>The manifest entry of a struct, or null.</summary>
    public static NpStructLayout? Find(string name) => Structs.FirstOrDefault(s => s.Name == name);

    /// <summary>The layout fingerprint of ABI minor <paramref name="minor"/>, computed from the manifest data
    /// (equal to NpAbi.NP_LAYOUT_FINGERPRINT_{major}_{minor}; the Interop tests check it). Computed once per process:
    /// hashing the canonical text takes tens of microseconds, and a host asks on every load.</summary>
    public static ulong Fingerprint(uint minor)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minor, AbiMinor);
        return FingerprintsLazy.Value[minor];
    }

    private static readonly Lazy<ulong[]> FingerprintsLazy = new(() =>
    {
        var all = new ulong[AbiMinor + 1];
        for (uint m = 0; m <= AbiMinor; m++) all[m] = Fingerprint(Structs, m);
        return all;
    });

    /// <summary>The fingerprint of any layout list, e.g. a manifest generated from a changed header.</summary>
    public static ulong Fingerprint(IReadOnlyList<NpStructLayout> structs, uint minor)
    {
        ulong hash = 0xcbf29ce484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(CanonicalText(structs, minor)))
        {
            hash ^= b;
            hash *= 0x100000001b3UL;
        }
        return hash;
    }

    /// <summary>The text the fingerprint hashes (interop/generator/README.md, "Layout fingerprints"): for each
    /// struct of minor <paramref name="minor"/> in declaration order `struct NAME\n`, then per field of that minor
    /// `NAME:CANONICAL_TYPE@OFFSET+SIZE\n`.</summary>
    public static string CanonicalText(IReadOnlyList<NpStructLayout> structs, uint minor)
    {
        var sb = new StringBuilder();
        foreach (var s in structs.Where(s => s.SinceMinor <= minor))
        {
            sb.Append("struct ").Append(s.Name).Append('\n');
            foreach (var f in s.FieldsAt(minor))
                sb.Append(f.Name).Append(':').Append(f.CanonicalType).Append('@').Append(f.Offset).Append('+').Append(f.Size).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>This compiler's layout as a np_layout_report_t in native memory that lives as long as the process
    /// (for np_negotiation_t.layout_report). Built once; every call returns the same pointer.</summary>
    public static np_layout_report_t* CreateNativeReport()
    {
        lock (ReportLock)
        {
            if (_nativeReport == null) _nativeReport = NpLayoutReport.Allocate(CompilerView);
            return _nativeReport;
        }
    }
}
