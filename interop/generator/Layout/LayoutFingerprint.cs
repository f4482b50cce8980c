// The layout fingerprint of an ABI minor: 64-bit FNV-1a over a canonical text of every struct's fields that exist
// in that minor. The exact text is specified in interop/generator/README.md ("Layout fingerprints"); the C#
// bindings (NpAbiLayout.Fingerprint) re-implement it over the manifest data, and the tests check that both agree.
using System.Text;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Layout;

public static class LayoutFingerprint
{
    public const ulong FnvOffsetBasis = 0xcbf29ce484222325UL;
    public const ulong FnvPrime = 0x100000001b3UL;

    /// <summary>The canonical text of minor <paramref name="minor"/>:
    /// for every laid-out struct that exists in that minor, in declaration order, the line `struct NAME`, then one
    /// line `FIELD:CANONICAL_TYPE@OFFSET+SIZE` per field that exists in that minor; every line ends with LF.</summary>
    public static string CanonicalText(AbiModel model, uint minor) => CanonicalText(model.LaidOutStructs, minor);

    /// <summary>The canonical text of the given structs, in the given order (opaque ones skipped): an interface
    /// fingerprint is this over the structs its vtable reaches, the vtable first (interop/interfaces.md).</summary>
    public static string CanonicalText(IEnumerable<AbiStruct> structs, uint minor)
    {
        var sb = new StringBuilder();
        foreach (var s in structs.Where(s => !s.IsOpaque && s.SinceMinor <= minor))
        {
            sb.Append("struct ").Append(s.Name).Append('\n');
            foreach (var f in s.FieldsAt(minor))
                sb.Append(f.Name).Append(':').Append(f.Type.Canonical).Append('@').Append(f.Offset).Append('+').Append(f.Size).Append('\n');
        }
        return sb.ToString();
    }

    public static ulong Compute(AbiModel model, uint minor) => Fnv1a64(Encoding.UTF8.GetBytes(CanonicalText(model, minor)));

    public static ulong Compute(IEnumerable<AbiStruct> structs, uint minor) => Fnv1a64(Encoding.UTF8.GetBytes(CanonicalText(structs, minor)));

    public static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        ulong hash = FnvOffsetBasis;
        foreach (byte b in bytes)
        {
            hash ^= b;
            hash *= FnvPrime;
        }
        return hash;
    }

    /// <summary>The fingerprint constants every language gets: NP_LAYOUT_FINGERPRINT_{major}_{minor} for each minor
    /// up to the current one, and NP_LAYOUT_FINGERPRINT for the current minor.</summary>
    public static IReadOnlyList<AbiConstant> Constants(AbiModel model)
    {
        var list = new List<AbiConstant>();
        for (uint m = 0; m <= model.AbiMinor; m++)
        {
            ulong fp = Compute(model, m);
            list.Add(new AbiConstant($"NP_LAYOUT_FINGERPRINT_{model.AbiMajor}_{m}", ConstantKind.UInt64, $"0x{fp:x16}ull", "np_layout.g.h",
                $"Layout fingerprint of ABI {model.AbiMajor}.{m}: FNV-1a 64 of the canonical layout text of the fields that exist in {model.AbiMajor}.{m}.")
            { Integer = fp });
        }
        var current = list[^1];
        list.Add(current with
        {
            Name = "NP_LAYOUT_FINGERPRINT",
            Doc = $"Layout fingerprint of the current ABI minor ({model.AbiMajor}.{model.AbiMinor}).",
        });
        return list;
    }
}
