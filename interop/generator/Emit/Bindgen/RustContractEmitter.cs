// Emits the declarations of rust/<module>.rs (interop/interfaces.md, section 2): the contract's #[repr(C)] structs and
// constants (np_* types by their path in nplug_abi, never re-declared), and per interface the fingerprint of each
// minor, `<vtable>_layout_report()` from this compiler's size_of/align_of/offset_of! and `<vtable>_interface_layout()`
// for np_plugin_descriptor_t.interface_layouts, with compile-time asserts that rustc lays the structs out as bindgen
// did. The file is include!d (or #[path]ed) into a plugin crate, so every lint allowance sits on its item, and items
// longer than rustfmt's width carry #[rustfmt::skip] (the file is checked byte for byte by `nplug bindgen --check`).
// RustInterfaceGlueEmitter's text (the SDK trait and glue) is appended after it by BindgenPlan.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class RustContractEmitter
{
    public static string PathOf(ContractModel model) => $"rust/{model.RustModule}.rs";

    public static string Emit(ContractModel model)
    {
        var decl = model.Declarations;
        var user = decl.Structs.Select(s => s.Name).Concat(decl.Aliases.Select(a => a.Name))
            .Concat(decl.FunctionTypedefs.Select(f => f.Name)).ToHashSet(StringComparer.Ordinal);
        var w = new CodeWriter();
        BindgenBanner.Slashes(w, model);
        w.Line("//");
        w.Line($"// The contract of {string.Join(", ", model.Interfaces.Select(i => i.Id))} in Rust. np_* types are nplug_abi's.");
        foreach (var a in decl.Aliases)
        {
            w.Line();
            w.Lines(RustNames.Doc(a.Doc, $"C: `typedef {a.Target.Canonical} {a.Name};`"));
            w.Line("#[allow(non_camel_case_types)]");
            w.Line($"pub type {a.Name} = {Type(a.Target, user)};");
        }
        foreach (var c in decl.Constants) EmitConstant(w, c);
        foreach (var s in decl.Structs) EmitStruct(w, model, s, user);
        foreach (var f in decl.FunctionTypedefs)
        {
            w.Line();
            w.Lines(RustNames.Doc(f.Doc, $"C: `{f.Type.Canonical}`; `None` is NULL."));
            w.Line("#[allow(non_camel_case_types)]");
            w.Line("#[rustfmt::skip]");
            w.Line($"pub type {f.Name} = {Type(f.Type, user)};");
        }
        string holder = $"{ContractNames.StemPascal(model)}StaticLayout";
        w.Line();
        w.Line("/// Immutable layout data with raw pointers into other statics: safe to share between threads.");
        w.Line("#[repr(transparent)]");
        w.Line($"struct {holder}<T>(T);");
        w.Line("// SAFETY: the wrapped values are never mutated and only point at other immutable statics.");
        w.Line($"unsafe impl<T> Sync for {holder}<T> {{}}");
        foreach (var i in model.Interfaces) EmitInterface(w, i, holder, user);
        return w.ToString();
    }

    private static void EmitConstant(CodeWriter w, AbiConstant c)
    {
        w.Line();
        w.Lines(RustNames.Doc(c.Doc));
        if (c.Kind == ConstantKind.String)
        {
            w.Line($"pub const {c.Name}: &str = {CSharpNames.StringLiteral(c.Text)};");
            return;
        }
        string type = c.Kind switch { ConstantKind.Int32 => "i32", ConstantKind.UInt32 => "u32", ConstantKind.Int64 => "i64", _ => "u64" };
        string value = c.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && c.Kind is ConstantKind.UInt64 or ConstantKind.UInt32
            ? $"0x{(ulong)c.Integer:x}"
            : c.Integer.ToString();
        w.Line($"pub const {c.Name}: {type} = {value};");
    }

    private static void EmitStruct(CodeWriter w, ContractModel model, AbiStruct s, HashSet<string> user)
    {
        w.Line();
        if (s.IsOpaque)
        {
            w.Lines(RustNames.Doc(s.Doc, "Opaque: only ever used through a pointer."));
            w.Line("#[allow(non_camel_case_types)]");
            w.Line("#[repr(C)]");
            using (w.Block($"pub struct {s.Name} {{"))
            {
                w.Line("_data: [u8; 0],");
                w.Line("_marker: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,");
            }
            return;
        }
        w.Lines(RustNames.Doc(s.Doc, $"C: `struct {s.Tag}`; {s.Size} bytes, aligned to {s.Align} (x86-64).{ContractNames.Since(model, s, s.SinceMinor)}"));
        w.Line("#[allow(non_camel_case_types)]");
        w.Line("#[rustfmt::skip]");
        w.Line("#[repr(C)]");
        w.Line("#[derive(Clone, Copy, Debug)]");
        using (w.Block($"pub struct {s.Name} {{"))
        {
            foreach (var f in s.Fields)
            {
                w.Lines(RustNames.Doc(f.Doc, $"C: `{f.CSpelling}` at offset {f.Offset}.{ContractNames.Since(model, s, f.SinceMinor)}"));
                w.Line($"pub {RustNames.Identifier(f.Name)}: {Type(f.Type, user)},");
            }
        }
    }

    private static void EmitInterface(CodeWriter w, InterfaceModel i, string holder, HashSet<string> user)
    {
        string upper = ContractNames.Macro(i);
        string snake = ContractNames.VTableBase(i);
        w.Line();
        w.Line($"// ---- {i.Id} ({i.VTable.Name}) " + new string('-', Math.Max(4, 100 - i.Id.Length - i.VTable.Name.Length)));
        for (uint m = 0; m <= i.NewestMinor; m++)
        {
            w.Line();
            w.Line($"/// Interface fingerprint of {i.Id} minor {m}: FNV-1a 64 over the canonical layout text of its structs.");
            w.Line($"pub const {ContractNames.Fingerprint(i, m)}: u64 = 0x{i.Fingerprints[(int)m]:x16};");
        }
        w.Line();
        w.Line($"/// Interface fingerprint of the newest minor of {i.Id} (minor {i.NewestMinor}).");
        w.Line($"pub const {ContractNames.Fingerprint(i)}: u64 = {ContractNames.Fingerprint(i, i.NewestMinor)};");
        w.Line();
        w.Line($"/// `size_of::<{i.VTable.Name}>()` at minor 0: the least `struct_size` a host accepts.");
        w.Line($"pub const {upper}_MIN_SIZE: u32 = {i.VTable.SizeAt(0)};");
        w.Line();
        w.Line("// rustc must lay the structs out as bindgen did: the fingerprints above are computed from that layout.");
        w.Line("#[rustfmt::skip]");
        w.Line("const _: () = {");
        w.Indent();
        foreach (var s in i.Structs)
        {
            w.Line($"assert!(core::mem::size_of::<{s.Name}>() == {s.Size});");
            w.Line($"assert!(core::mem::align_of::<{s.Name}>() == {s.Align});");
            foreach (var f in s.Fields)
                w.Line($"assert!(core::mem::offset_of!({s.Name}, {RustNames.Identifier(f.Name)}) == {f.Offset});");
        }
        w.Outdent();
        w.Line("};");
        foreach (var s in i.Structs)
        {
            w.Line();
            w.Line("#[allow(non_upper_case_globals)]");
            w.Line("#[rustfmt::skip]");
            w.Line($"static {upper}_FIELDS_{s.Name}: {holder}<[nplug_abi::np_layout_field_t; {s.Fields.Count}]> = {holder}([");
            w.Indent();
            foreach (var f in s.Fields)
                w.Line($"nplug_abi::np_layout_field_t {{ name: {upper}_name(\"{f.Name}\"), offset: core::mem::offset_of!({s.Name}, {RustNames.Identifier(f.Name)}) as u32, " +
                       $"size: core::mem::size_of::<{Type(f.Type, user)}>() as u32 }},");
            w.Outdent();
            w.Line("]);");
        }
        w.Line();
        w.Line("#[rustfmt::skip]");
        w.Line($"static {upper}_STRUCTS: {holder}<[nplug_abi::np_layout_struct_t; {i.Structs.Count}]> = {holder}([");
        w.Indent();
        foreach (var s in i.Structs)
        {
            w.Line("nplug_abi::np_layout_struct_t {");
            w.Indent();
            w.Line($"name: {upper}_name(\"{s.Name}\"),");
            w.Line($"size: core::mem::size_of::<{s.Name}>() as u32,");
            w.Line($"align: core::mem::align_of::<{s.Name}>() as u32,");
            w.Line($"fields: {upper}_FIELDS_{s.Name}.0.as_ptr(),");
            w.Line($"field_count: {s.Fields.Count},");
            w.Outdent();
            w.Line("},");
        }
        w.Outdent();
        w.Line("]);");
        w.Line();
        w.Line("#[rustfmt::skip]");
        w.Line($"static {upper}_REPORT: {holder}<nplug_abi::np_layout_report_t> = {holder}(nplug_abi::np_layout_report_t {{");
        w.Line("    struct_size: core::mem::size_of::<nplug_abi::np_layout_report_t>() as u32,");
        w.Line("    reserved: 0,");
        w.Line($"    structs: {upper}_STRUCTS.0.as_ptr(),");
        w.Line($"    struct_count: {i.Structs.Count},");
        w.Line("});");
        w.Line();
        w.Line("#[rustfmt::skip]");
        w.Line($"static {upper}_INTERFACE_LAYOUT: {holder}<nplug_abi::np_interface_layout_t> = {holder}(nplug_abi::np_interface_layout_t {{");
        w.Line($"    fingerprint: {ContractNames.Fingerprint(i)},");
        w.Line($"    report: &{upper}_REPORT.0,");
        w.Line("});");
        w.Line();
        w.Line($"#[allow(non_snake_case)]");
        w.Line($"const fn {upper}_name(s: &'static str) -> nplug_abi::np_str_t {{");
        w.Line("    nplug_abi::np_str_t { ptr: s.as_ptr(), len: s.len() as u64 }");
        w.Line("}");
        w.Line();
        w.Line($"/// This compiler's layout of the structs of {i.Id} (size_of, align_of, offset_of!), as static data.");
        w.Line($"pub fn {snake}_layout_report() -> &'static nplug_abi::np_layout_report_t {{");
        w.Line($"    &{upper}_REPORT.0");
        w.Line("}");
        w.Line();
        w.Line($"/// The layout of {i.Id} (its newest fingerprint and this compiler's report): the element of");
        w.Line("/// `np_plugin_descriptor_t.interface_layouts` for this interface.");
        w.Line($"pub fn {snake}_interface_layout() -> &'static nplug_abi::np_interface_layout_t {{");
        w.Line($"    &{upper}_INTERFACE_LAYOUT.0");
        w.Line("}");
    }

    /// <summary>RustNames' spelling, with np_* types (declared by the ABI, not the contract) by their nplug_abi path.</summary>
    private static string Type(AbiType type, HashSet<string> user) => type switch
    {
        AliasType a when !user.Contains(a.Name) => $"nplug_abi::{a.Name}",
        StructType s when !user.Contains(s.Name) => $"nplug_abi::{s.Name}",
        PointerType p => (p.PointeeConst ? "*const " : "*mut ") + Type(p.Pointee, user),
        ArrayType a => $"[{Type(a.Element, user)}; {a.Length}]",
        FunctionPointerType f => $"Option<{FunctionType(f, user)}>",
        _ => RustNames.Type(type),
    };

    private static string FunctionType(FunctionPointerType f, HashSet<string> user)
    {
        int i = 0;
        var ps = f.Parameters.Select(p => $"{(p.Name.Length > 0 ? RustNames.Identifier(p.Name) : $"arg{i++}")}: {Type(p.Type, user)}");
        string ret = f.Return is PrimitiveType { Name: "void" } ? "" : " -> " + Type(f.Return, user);
        return $"unsafe extern \"C\" fn({string.Join(", ", ps)}){ret}";
    }
}
