// The ABI as the generator understands it: what the parser extracts from the header set and every emitter
// consumes. Nothing here knows about libclang or about any target language.
namespace NativePlugins.Generator.Model;

/// <summary>A type as it appears in a field or a function signature.</summary>
public abstract record AbiType
{
    /// <summary>
    /// The canonical C spelling used by the layout fingerprint: typedefs of scalars resolved to fixed-width
    /// names chosen by size and signedness (so `np_status` is `int32_t`, and a retype is caught), structs named by
    /// their ABI typedef name, pointers written as C writes them (`const np_plugin_descriptor_t *const *`).
    /// </summary>
    public abstract string Canonical { get; }
}

/// <summary>void, or a fixed-width integer: uint8_t .. int64_t.</summary>
public sealed record PrimitiveType(string Name) : AbiType
{
    public override string Canonical => Name;
    public static readonly PrimitiveType Void = new("void");
}

/// <summary>A typedef of a scalar (`typedef int32_t np_status;`), kept by name where a language can say it.</summary>
public sealed record AliasType(string Name, AbiType Target) : AbiType
{
    public override string Canonical => Target.Canonical;
}

/// <summary>A struct by its ABI (typedef) name.</summary>
public sealed record StructType(string Name) : AbiType
{
    public override string Canonical => Name;
}

/// <summary>A pointer; PointeeConst is the qualifier of what it points to.</summary>
public sealed record PointerType(AbiType Pointee, bool PointeeConst) : AbiType
{
    public override string Canonical => Pointee is PointerType
        ? Pointee.Canonical + (PointeeConst ? "const *" : "*")
        : (PointeeConst ? "const " : "") + Pointee.Canonical + " *";
}

/// <summary>A parameter of a function pointer; Name may be empty when the header leaves it out.</summary>
public sealed record AbiParameter(string Name, AbiType Type);

/// <summary>A pointer to a cdecl function.</summary>
public sealed record FunctionPointerType(AbiType Return, IReadOnlyList<AbiParameter> Parameters) : AbiType
{
    public override string Canonical =>
        $"{Return.Canonical}{(Return.Canonical.EndsWith('*') ? "" : " ")}(*)({(Parameters.Count == 0 ? "void" : string.Join(", ", Parameters.Select(p => p.Type.Canonical)))})";

    public bool Equals(FunctionPointerType? other) =>
        other is not null && Return.Equals(other.Return) && Parameters.SequenceEqual(other.Parameters);

    public override int GetHashCode() => Canonical.GetHashCode(StringComparison.Ordinal);
}

/// <summary>A fixed-size array field.</summary>
public sealed record ArrayType(AbiType Element, long Length) : AbiType
{
    public override string Canonical => $"{Element.Canonical}[{Length}]";
}

/// <summary>One field as clang laid it out for the target (x86-64 SysV here; the ABI is defined so that every
/// 64-bit target agrees, and the conformance tests of each language check it).</summary>
public sealed record AbiField(
    string Name,
    AbiType Type,
    string CSpelling,
    uint Offset,
    uint Size,
    uint SinceMinor,
    string Doc);

/// <summary>A struct typedef of the ABI. Opaque structs (declared, never defined) have no fields and size 0.</summary>
public sealed record AbiStruct(
    string Name,
    string Tag,
    string Header,
    uint Size,
    uint Align,
    bool IsOpaque,
    uint SinceMinor,
    IReadOnlyList<AbiField> Fields,
    string Doc)
{
    /// <summary>The fields that exist in ABI minor <paramref name="minor"/>.</summary>
    public IEnumerable<AbiField> FieldsAt(uint minor) => Fields.Where(f => f.SinceMinor <= minor);

    /// <summary>sizeof the struct as a compiler of minor <paramref name="minor"/> laid it out: the end of its last
    /// field of that minor, rounded up to the alignment (fields are only ever appended within a major).</summary>
    public uint SizeAt(uint minor)
    {
        uint end = FieldsAt(minor).Select(f => f.Offset + f.Size).DefaultIfEmpty(0u).Max();
        return Align == 0 ? end : (end + Align - 1) / Align * Align;
    }
}

/// <summary>A scalar typedef (`typedef int32_t np_status;`).</summary>
public sealed record AbiAlias(string Name, AbiType Target, string Header, string Doc);

/// <summary>A function-pointer typedef (`typedef np_status (NP_CDECL *np_entry_fn)(...)`).</summary>
public sealed record AbiFunctionTypedef(string Name, FunctionPointerType Type, string Header, string Doc);

public enum ConstantKind { Int32, UInt32, Int64, UInt64, String }

/// <summary>A `#define NAME value` whose value is one integer or string literal.</summary>
public sealed record AbiConstant(string Name, ConstantKind Kind, string Text, string Header, string Doc)
{
    /// <summary>The integer value (unused for strings).</summary>
    public System.Numerics.BigInteger Integer { get; init; }
}

/// <summary>Everything the generator extracted from the header set, in declaration order.</summary>
public sealed record AbiModel(
    uint AbiMajor,
    uint AbiMinor,
    IReadOnlyList<string> Headers,
    IReadOnlyList<AbiConstant> Constants,
    IReadOnlyList<AbiAlias> Aliases,
    IReadOnlyList<AbiStruct> Structs,
    IReadOnlyList<AbiFunctionTypedef> FunctionTypedefs)
{
    /// <summary>Structs with a layout (every struct except the opaque ones).</summary>
    public IEnumerable<AbiStruct> LaidOutStructs => Structs.Where(s => !s.IsOpaque);

    public AbiStruct Struct(string name) => Structs.Single(s => s.Name == name);
}
