// The shape of one entry of the layout manifest (and of a library's layout report once read). Hand-written: it
// describes layouts in general and mirrors nothing of the header; the data comes from Generated/NpAbiLayout.g.cs.
namespace NativePlugins.Interop;

/// <summary>One field: its name, C type (as written and canonical), offset and size in bytes, and the ABI minor
/// that added it.</summary>
public sealed record NpFieldLayout(string Name, string CType, string CanonicalType, uint Offset, uint Size, uint SinceMinor);

/// <summary>One struct: typedef name, sizeof, alignment, the ABI minor that added it and its fields in declaration
/// order.</summary>
public sealed record NpStructLayout(string Name, uint Size, uint Align, uint SinceMinor, IReadOnlyList<NpFieldLayout> Fields)
{
    /// <summary>The fields that exist in ABI minor <paramref name="minor"/>.</summary>
    public IEnumerable<NpFieldLayout> FieldsAt(uint minor) => Fields.Where(f => f.SinceMinor <= minor);

    /// <summary>sizeof the struct as ABI minor <paramref name="minor"/> defines it: the end of its last field of that
    /// minor rounded up to the alignment (fields are only appended within a major).</summary>
    public uint SizeAt(uint minor)
    {
        uint end = FieldsAt(minor).Select(f => f.Offset + f.Size).DefaultIfEmpty(0u).Max();
        return Align == 0 ? end : (end + Align - 1) / Align * Align;
    }

    public NpFieldLayout? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}
