// How C types are spelled in the generated C#: the shape every .NET project of the repository codes against
// (brief: C names kept, np_status as int, function pointers as delegate* unmanaged[Cdecl]).
using System.Numerics;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class CSharpNames
{
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    ];

    public static string Identifier(string name) => Keywords.Contains(name) ? "@" + name : name;

    public static string Type(AbiType type) => type switch
    {
        PrimitiveType p => Primitive(p.Name),
        AliasType a => Type(a.Target),
        StructType s => s.Name,
        PointerType p => Type(p.Pointee) + "*",
        FunctionPointerType f => FunctionPointer(f),
        ArrayType => throw new GeneratorException("array fields are emitted as fixed buffers, not as types"),
        _ => throw new GeneratorException($"no C# spelling for {type}"),
    };

    public static string FunctionPointer(FunctionPointerType f) =>
        $"delegate* unmanaged[Cdecl]<{string.Join(", ", f.Parameters.Select(p => Type(p.Type)).Append(Type(f.Return)))}>";

    public static string Primitive(string name) => name switch
    {
        "void" => "void",
        "int8_t" => "sbyte",
        "uint8_t" => "byte",
        "int16_t" => "short",
        "uint16_t" => "ushort",
        "int32_t" => "int",
        "uint32_t" => "uint",
        "int64_t" => "long",
        "uint64_t" => "ulong",
        _ => throw new GeneratorException($"no C# spelling for {name}"),
    };

    public static string ConstantType(ConstantKind kind) => kind switch
    {
        ConstantKind.Int32 => "int",
        ConstantKind.UInt32 => "uint",
        ConstantKind.Int64 => "long",
        ConstantKind.UInt64 => "ulong",
        _ => "string",
    };

    public static string IntegerLiteral(BigInteger value, ConstantKind kind, bool hex) => kind switch
    {
        ConstantKind.UInt64 when hex => $"0x{(ulong)value:X16}UL",
        ConstantKind.UInt32 when hex => $"0x{(uint)value:X8}u",
        ConstantKind.UInt64 => $"{value}UL",
        ConstantKind.UInt32 => $"{value}u",
        ConstantKind.Int64 => $"{value}L",
        _ => value.ToString(),
    };

    public static string StringLiteral(string s) =>
        "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t") + "\"";

    /// <summary>XML doc comment lines for a header comment.</summary>
    public static IEnumerable<string> Doc(string doc, string? extra = null)
    {
        var lines = DocText.Lines(doc).ToList();
        if (extra is not null) lines.Add(extra);
        if (lines.Count == 0) yield break;
        yield return "/// <summary>";
        foreach (var l in lines) yield return "/// " + Xml(l);
        yield return "/// </summary>";
    }

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
