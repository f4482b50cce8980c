// Emits interop/bindings/rust/src/bindings.g.rs: every constant, scalar typedef, struct and function-pointer
// typedef of the header set, in header order. The crate's hand-written lib.rs include!s it.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class RustBindingsEmitter
{
    public const string Crate = "interop/bindings/rust";

    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        var w = new CodeWriter();
        Banner.Slashes(w, "interop/include/nplug");
        bool hasStatus = model.Aliases.Any(a => a.Name == "np_status");
        foreach (var header in model.Headers)
        {
            var constants = model.Constants.Where(c => c.Header == header).ToList();
            var aliases = model.Aliases.Where(a => a.Header == header).ToList();
            var structs = model.Structs.Where(s => s.Header == header).ToList();
            var fns = model.FunctionTypedefs.Where(f => f.Header == header).ToList();
            if (constants.Count + aliases.Count + structs.Count + fns.Count == 0) continue;
            w.Line();
            w.Line($"// ---- {header} " + new string('-', Math.Max(4, 100 - header.Length)));
            foreach (var a in aliases)
            {
                w.Line();
                w.Lines(RustNames.Doc(a.Doc, $"C: `typedef {a.Target.Canonical} {a.Name};`"));
                w.Line($"pub type {a.Name} = {RustNames.Type(a.Target)};");
            }
            if (constants.Count > 0) w.Line();
            EmitConstants(w, constants, hasStatus);
            var statuses = CSharpBindingsEmitter.StatusCodes(constants);
            if (hasStatus && statuses.Count > 0)
            {
                w.Line();
                w.Line("/// The C name of an np_status value (`\"NP_ERR_CONFIG\"`), or `None` for a value this header does not define.");
                w.Line("pub const fn status_name(status: np_status) -> Option<&'static str> {");
                w.Line("    match status {");
                foreach (var c in statuses) w.Line($"        {c.Name} => Some(\"{c.Name}\"),");
                w.Line("        _ => None,");
                w.Line("    }");
                w.Line("}");
            }
            foreach (var s in structs) EmitStruct(w, s, model);
            foreach (var f in fns)
            {
                w.Line();
                w.Lines(RustNames.Doc(f.Doc, $"C: `{f.Type.Canonical}`; `None` is NULL."));
                w.Line($"pub type {f.Name} = Option<{RustNames.FunctionType(f.Type)}>;");
            }
        }
        yield return ($"{Crate}/src/bindings.g.rs", w.ToString());
    }

    /// <summary>Status codes (NP_OK, NP_ERR_*) are typed np_status; other integers by their C literal's type.</summary>
    public static void EmitConstants(CodeWriter w, IEnumerable<AbiConstant> constants, bool hasStatus)
    {
        foreach (var c in constants)
        {
            w.Lines(RustNames.Doc(c.Doc));
            if (c.Kind == ConstantKind.String)
            {
                w.Line($"pub const {c.Name}: &str = {CSharpNames.StringLiteral(c.Text)};");
                continue;
            }
            string type = hasStatus && IsStatusCode(c.Name) ? "np_status" : c.Kind switch
            {
                ConstantKind.Int32 => "i32",
                ConstantKind.UInt32 => "u32",
                ConstantKind.Int64 => "i64",
                _ => "u64",
            };
            string value = c.Kind == ConstantKind.UInt64 && c.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? $"0x{(ulong)c.Integer:x16}"
                : c.Integer.ToString();
            w.Line($"pub const {c.Name}: {type} = {value};");
        }
    }

    public static bool IsStatusCode(string name) => name == "NP_OK" || name.StartsWith("NP_ERR_", StringComparison.Ordinal);

    private static void EmitStruct(CodeWriter w, AbiStruct s, AbiModel model)
    {
        w.Line();
        if (s.IsOpaque)
        {
            w.Lines(RustNames.Doc(s.Doc, "Opaque: only ever used through a pointer."));
            w.Line("#[repr(C)]");
            using (w.Block($"pub struct {s.Name} {{"))
            {
                w.Line("_data: [u8; 0],");
                w.Line("_marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,");
            }
            return;
        }
        w.Lines(RustNames.Doc(s.Doc, $"C: `struct {s.Tag}`; {s.Size} bytes, aligned to {s.Align} (x86-64).{Since(model, s.SinceMinor)}"));
        w.Line("#[repr(C)]");
        w.Line("#[derive(Clone, Copy, Debug)]");
        using (w.Block($"pub struct {s.Name} {{"))
        {
            foreach (var f in s.Fields)
            {
                w.Lines(RustNames.Doc(f.Doc, $"C: `{f.CSpelling}` at offset {f.Offset}.{Since(model, f.SinceMinor)}"));
                w.Line($"pub {RustNames.Identifier(f.Name)}: {RustNames.Type(f.Type)},");
            }
        }
    }

    private static string Since(AbiModel model, uint minor) => minor == 0 ? "" : $" Since ABI {model.AbiMajor}.{minor}.";
}
