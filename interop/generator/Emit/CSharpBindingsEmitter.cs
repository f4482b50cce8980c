// Emits the C# mirror of each header: Generated/<header>.g.cs with its structs, function-pointer typedefs and
// constants (the constants as members of the partial class NpAbi).
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class CSharpBindingsEmitter
{
    public const string Folder = "interop/bindings/csharp/Generated";

    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        foreach (var header in model.Headers)
        {
            var constants = model.Constants.Where(c => c.Header == header).ToList();
            var structs = model.Structs.Where(s => s.Header == header).ToList();
            var fnTypedefs = model.FunctionTypedefs.Where(f => f.Header == header).ToList();
            if (constants.Count + structs.Count + fnTypedefs.Count == 0) continue;

            var w = Start($"interop/include/nplug/{header}");
            if (constants.Count > 0) EmitConstants(w, constants, $"Constants of {header}.");
            var statuses = StatusCodes(constants);
            if (statuses.Count > 0) EmitStatusNames(w, statuses);
            foreach (var s in structs) EmitStruct(w, s, minor => Since(model, minor));
            foreach (var f in fnTypedefs) EmitFunctionTypedef(w, f);
            yield return ($"{Folder}/{header[..^2]}.g.cs", w.ToString());
        }
    }

    public static CodeWriter Start(string source)
    {
        var w = new CodeWriter();
        Banner.Slashes(w, source);
        w.Line("#nullable enable");
        w.Line("using System.Runtime.InteropServices;");
        w.Line();
        w.Line("namespace NativePlugins.Interop;");
        return w;
    }

    public static void EmitConstants(CodeWriter w, IEnumerable<AbiConstant> constants, string summary)
    {
        w.Line();
        w.Lines(CSharpNames.Doc(summary));
        w.Line("public static unsafe partial class NpAbi");
        using (w.Block()) EmitConstantMembers(w, constants, "ReadOnlySpan<byte>");
    }

    /// <summary>The members for #define constants (integers as consts, strings as a u8 span plus a _STRING twin);
    /// bindgen emits a user's constants with it too. <paramref name="spanType"/> is how the span type is spelled.</summary>
    public static void EmitConstantMembers(CodeWriter w, IEnumerable<AbiConstant> constants, string spanType)
    {
        bool first = true;
        foreach (var c in constants)
        {
            if (!first) w.Line();
            first = false;
            if (c.Kind == ConstantKind.String)
            {
                w.Lines(CSharpNames.Doc(c.Doc, "UTF-8 bytes, without a terminating NUL."));
                w.Line($"public static {spanType} {c.Name} => {CSharpNames.StringLiteral(c.Text)}u8;");
                w.Lines(CSharpNames.Doc($"{c.Name} as a .NET string."));
                w.Line($"public const string {c.Name}_STRING = {CSharpNames.StringLiteral(c.Text)};");
            }
            else
            {
                w.Lines(CSharpNames.Doc(c.Doc));
                bool hex = c.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
                w.Line($"public const {CSharpNames.ConstantType(c.Kind)} {c.Name} = {CSharpNames.IntegerLiteral(c.Integer, c.Kind, hex)};");
            }
        }
    }

    /// <summary>The np_status values a header defines: NP_OK and every NP_ERR_* integer constant.</summary>
    public static List<AbiConstant> StatusCodes(IEnumerable<AbiConstant> constants) =>
        constants.Where(c => c.Kind != ConstantKind.String && (c.Name == "NP_OK" || c.Name.StartsWith("NP_ERR_", StringComparison.Ordinal)))
                 .ToList();

    // One name table for every C# consumer (host, conformance runner, C# SDK), derived from the header.
    private static void EmitStatusNames(CodeWriter w, IReadOnlyList<AbiConstant> statuses)
    {
        w.Line();
        w.Line("public static unsafe partial class NpAbi");
        using (w.Block())
        {
            w.Lines(CSharpNames.Doc("The C name of an np_status value (\"NP_ERR_CONFIG\"), or null for a value this header does not define."));
            w.Line("public static string? StatusName(int status) => status switch");
            w.Line("{");
            foreach (var c in statuses) w.Line($"    {c.Name} => \"{c.Name}\",");
            w.Line("    _ => null,");
            w.Line("};");
        }
    }

    /// <summary>One struct as a blittable C# struct; bindgen emits a user's structs with it too. <paramref name="since"/>
    /// gives the doc suffix of a struct's or field's minor ("" for the first minor).</summary>
    public static void EmitStruct(CodeWriter w, AbiStruct s, Func<uint, string> since)
    {
        w.Line();
        if (s.IsOpaque)
        {
            w.Lines(CSharpNames.Doc(s.Doc, "Opaque: only ever used through a pointer."));
            w.Line($"public partial struct {s.Name}");
            w.Line("{");
            w.Line("}");
            return;
        }
        w.Lines(CSharpNames.Doc(s.Doc, $"C: struct {s.Tag}; {s.Size} bytes, aligned to {s.Align} (x86-64).{since(s.SinceMinor)}"));
        w.Line("[StructLayout(LayoutKind.Sequential)]");
        w.Line($"public unsafe partial struct {s.Name}");
        using (w.Block())
        {
            bool first = true;
            foreach (var f in s.Fields)
            {
                if (!first && (f.Doc.Contains('\n') || f.Type is FunctionPointerType)) w.Line();
                first = false;
                w.Lines(CSharpNames.Doc(f.Doc, $"C: {f.CSpelling} at offset {f.Offset}.{since(f.SinceMinor)}"));
                if (f.Type is ArrayType a)
                {
                    if (a.Element is not PrimitiveType p || p == PrimitiveType.Void)
                        throw new GeneratorException($"{s.Name}.{f.Name}: only arrays of integers are supported in C#");
                    w.Line($"public fixed {CSharpNames.Primitive(p.Name)} {CSharpNames.Identifier(f.Name)}[{a.Length}];");
                }
                else
                {
                    w.Line($"public {CSharpNames.Type(f.Type)} {CSharpNames.Identifier(f.Name)};");
                }
            }
        }
    }

    private static string Since(AbiModel model, uint minor) => minor == 0 ? "" : $" Since ABI {model.AbiMajor}.{minor}.";

    /// <summary>A function-pointer typedef as a named struct around the pointer; bindgen uses it too.</summary>
    public static void EmitFunctionTypedef(CodeWriter w, AbiFunctionTypedef f)
    {
        w.Line();
        var signature = $"{f.Type.Return.Canonical} (*)({string.Join(", ", f.Type.Parameters.Select(p => $"{p.Type.Canonical} {p.Name}".Trim()))})";
        w.Lines(CSharpNames.Doc(f.Doc, $"C: typedef {signature}. A function pointer wrapped in a struct so that it has a name."));
        w.Line($"public unsafe partial struct {f.Name}");
        using (w.Block())
        {
            w.Line($"public {CSharpNames.FunctionPointer(f.Type)} Value;");
        }
    }
}
