// How C types are spelled in the generated Rust: #[repr(C)] structs with the C names, raw pointers with the C
// constness, function pointers as Option<unsafe extern "C" fn(..)> (NULL is None), np_status kept by name.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class RustNames
{
    private static readonly HashSet<string> Keywords =
    [
        "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
        "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true",
        "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];

    /// <summary>`self`, `super`, `crate` and `Self` cannot be raw identifiers: they get a trailing underscore.</summary>
    public static string Identifier(string name) => name switch
    {
        "self" or "Self" or "super" or "crate" => name + "_",
        _ when Keywords.Contains(name) => "r#" + name,
        _ => name,
    };

    public static string Type(AbiType type) => type switch
    {
        PrimitiveType { Name: "void" } => "core::ffi::c_void",
        PrimitiveType p => Primitive(p.Name),
        AliasType a => a.Name,
        StructType s => s.Name,
        PointerType p => (p.PointeeConst ? "*const " : "*mut ") + Type(p.Pointee),
        FunctionPointerType f => $"Option<{FunctionType(f)}>",
        ArrayType a => $"[{Type(a.Element)}; {a.Length}]",
        _ => throw new GeneratorException($"no Rust spelling for {type}"),
    };

    public static string FunctionType(FunctionPointerType f)
    {
        int i = 0;
        var ps = f.Parameters.Select(p => $"{(p.Name.Length > 0 ? Identifier(p.Name) : $"arg{i++}")}: {Type(p.Type)}");
        string ret = f.Return is PrimitiveType { Name: "void" } ? "" : " -> " + Type(f.Return);
        return $"unsafe extern \"C\" fn({string.Join(", ", ps)}){ret}";
    }

    public static string Primitive(string name) => name switch
    {
        "int8_t" => "i8",
        "uint8_t" => "u8",
        "int16_t" => "i16",
        "uint16_t" => "u16",
        "int32_t" => "i32",
        "uint32_t" => "u32",
        "int64_t" => "i64",
        "uint64_t" => "u64",
        _ => throw new GeneratorException($"no Rust spelling for {name}"),
    };

    public static IEnumerable<string> Doc(string doc, string? extra = null, string marker = "///")
    {
        var lines = DocText.Lines(doc).ToList();
        if (extra is not null)
        {
            if (lines.Count > 0) lines.Add("");
            lines.Add(extra);
        }
        // Indented lines would render as code blocks in rustdoc (and be compiled as doctests): keep them as text.
        // The header's comments are plain text: escape what Markdown would read as links, HTML or emphasis.
        return lines.Select(l => (marker + " " + Markdown(l.StartsWith("  ", StringComparison.Ordinal) ? l.TrimStart() : l)).TrimEnd());
    }

    private static string Markdown(string text)
    {
        if (text.StartsWith("C: `", StringComparison.Ordinal)) return text; // our own line: code spans, nothing to escape
        var sb = new System.Text.StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is '[' or ']' or '<' or '>' or '*' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
