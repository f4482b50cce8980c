using System.Collections.Frozen;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// What the host needs from the generated layout manifest (<see cref="NpAbiLayout"/>): the size of a struct at
/// ABI x.0 (rule P2's minimum struct_size), how many leading bytes of a prefix struct may be read for a given
/// struct_size and agreed minor (rule H2), the fingerprint per minor, and a description of a layout mismatch
/// (<see cref="LayoutDiff"/>). Nothing here restates the header: every number comes from the manifest.
/// </summary>
internal static unsafe class AbiLayoutFacts
{
    /// <summary>sizeof the struct as ABI major.0 defines it.</summary>
    public static uint MinimumSize(string structName) => Get(structName).MinimumSize;

    /// <summary>The number of leading bytes holding fields that the library's struct_size covers entirely and that
    /// exist in the agreed minor. Fields are append-only, so this is a prefix: the first field that is not covered
    /// or is newer than the agreed minor ends it.</summary>
    public static uint ReadableBytes(string structName, uint structSize, uint agreedMinor) =>
        Get(structName).ReadableBytes(structSize, agreedMinor);

    /// <summary>The end offset of a field (what NP_HAS_FIELD compares struct_size with).</summary>
    public static uint FieldEnd(string structName, string field)
    {
        var f = Get(structName).Layout.Field(field) ?? throw new InvalidOperationException($"no field {structName}.{field}");
        return f.Offset + f.Size;
    }

    /// <summary>The host's layout fingerprint of ABI major.<paramref name="minor"/>.</summary>
    public static ulong Fingerprint(uint minor) => NpAbiLayout.Fingerprint(minor); // computed once per process there

    /// <summary>Which struct and field differ, from the library's layout report, or why that cannot be said.</summary>
    public static string DescribeMismatch(np_layout_report_t* report, uint minor)
    {
        if (report == null) return "the library sent no layout report, so the differing struct cannot be named";
        try
        {
            var differences = LayoutDiff.Compare(report, minor);
            if (differences.Count == 0)
                return "its layout report matches the host's layout, so the library reports a wrong fingerprint for this minor";
            // A real difference in what the library did report (a moved or resized field) says more than a struct it
            // left out of its report, so it is named first; the order within each group stays the manifest's.
            var ordered = differences.OrderBy(d => d.Kind is LayoutDifferenceKind.MissingStruct or LayoutDifferenceKind.MissingField ? 1 : 0)
                .ToList();
            return LayoutDiff.Describe(ordered);
        }
        catch (Exception e)
        {
            return $"the library's layout report could not be read ({e.Message})";
        }
    }

    /// <summary>The facts of one struct, looked up once: the load path keeps them in static fields instead of
    /// looking them up by name per descriptor.</summary>
    public static StructFacts Get(string name) =>
        s_byName.TryGetValue(name, out var facts) ? facts
            : throw new InvalidOperationException($"the layout manifest has no struct {name}");

    private static readonly FrozenDictionary<string, StructFacts> s_byName =
        NpAbiLayout.Structs.ToFrozenDictionary(s => s.Name, s => new StructFacts(s), StringComparer.Ordinal);
}

/// <summary>One struct of the layout manifest in the form the load path reads it: its x.0 size and, in declaration
/// order, every field's end offset and since-minor as plain arrays (computed once per process, so reading a prefix
/// struct walks two small arrays and allocates nothing).</summary>
internal sealed class StructFacts
{
    private readonly uint[] _fieldEnds;
    private readonly uint[] _sinceMinors;

    public StructFacts(NpStructLayout layout)
    {
        Layout = layout;
        Name = layout.Name;
        MinimumSize = layout.SizeAt(0);
        _fieldEnds = new uint[layout.Fields.Count];
        _sinceMinors = new uint[layout.Fields.Count];
        for (int i = 0; i < layout.Fields.Count; i++)
        {
            _fieldEnds[i] = layout.Fields[i].Offset + layout.Fields[i].Size;
            _sinceMinors[i] = layout.Fields[i].SinceMinor;
        }
    }

    public NpStructLayout Layout { get; }
    public string Name { get; }

    /// <summary>sizeof the struct as ABI major.0 defines it (rule P2's minimum struct_size).</summary>
    public uint MinimumSize { get; }

    /// <summary>See <see cref="AbiLayoutFacts.ReadableBytes"/>.</summary>
    public uint ReadableBytes(uint structSize, uint agreedMinor)
    {
        uint end = 0;
        for (int i = 0; i < _fieldEnds.Length; i++)
        {
            if (_sinceMinors[i] > agreedMinor || _fieldEnds[i] > structSize) break;
            end = _fieldEnds[i];
        }
        return end;
    }
}
