// Emits the Rust layout side: src/layout.g.rs (fingerprint constants and layout_report(), built from this
// compiler's size_of/align_of/offset_of!) and tests/layout.g.rs (the conformance test against the manifest).
using NativePlugins.Generator.Layout;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class RustLayoutEmitter
{
    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        yield return ($"{RustBindingsEmitter.Crate}/src/layout.g.rs", Report(model));
        yield return ($"{RustBindingsEmitter.Crate}/tests/layout.g.rs", Test(model));
    }

    private static string Report(AbiModel model)
    {
        var w = new CodeWriter();
        Banner.Slashes(w, "interop/include/nplug (struct layouts)");
        w.Line();
        RustBindingsEmitter.EmitConstants(w, LayoutFingerprint.Constants(model), hasStatus: false);
        RustBindingsEmitter.EmitConstants(w, CLayoutHeaderEmitter.SizeConstants(model), hasStatus: false);
        var structs = model.LaidOutStructs.ToList();
        w.Line();
        w.Line("/// Immutable report data with raw pointers into other statics: safe to share between threads.");
        w.Line("#[repr(transparent)]");
        w.Line("struct StaticLayout<T>(T);");
        w.Line("// SAFETY: the wrapped values are never mutated and only point at other immutable statics.");
        w.Line("unsafe impl<T> Sync for StaticLayout<T> {}");
        w.Line();
        w.Line("const fn layout_name(s: &'static str) -> np_str_t {");
        w.Line("    np_str_t { ptr: s.as_ptr(), len: s.len() as u64 }");
        w.Line("}");
        foreach (var s in structs)
        {
            w.Line();
            w.Line($"static LAYOUT_FIELDS_{s.Name}: StaticLayout<[np_layout_field_t; {s.Fields.Count}]> = StaticLayout([");
            w.Indent();
            foreach (var f in s.Fields)
                w.Line($"np_layout_field_t {{ name: layout_name(\"{f.Name}\"), offset: core::mem::offset_of!({s.Name}, {RustNames.Identifier(f.Name)}) as u32, size: core::mem::size_of::<{RustNames.Type(f.Type)}>() as u32 }},");
            w.Outdent();
            w.Line("]);");
        }
        w.Line();
        w.Line($"static LAYOUT_STRUCTS: StaticLayout<[np_layout_struct_t; {structs.Count}]> = StaticLayout([");
        w.Indent();
        foreach (var s in structs)
        {
            w.Line("np_layout_struct_t {");
            w.Indent();
            w.Line($"name: layout_name(\"{s.Name}\"),");
            w.Line($"size: core::mem::size_of::<{s.Name}>() as u32,");
            w.Line($"align: core::mem::align_of::<{s.Name}>() as u32,");
            w.Line($"fields: LAYOUT_FIELDS_{s.Name}.0.as_ptr(),");
            w.Line($"field_count: {s.Fields.Count},");
            w.Outdent();
            w.Line("},");
        }
        w.Outdent();
        w.Line("]);");
        w.Line();
        w.Line("static LAYOUT_REPORT: StaticLayout<np_layout_report_t> = StaticLayout(np_layout_report_t {");
        w.Line("    struct_size: core::mem::size_of::<np_layout_report_t>() as u32,");
        w.Line("    reserved: 0,");
        w.Line("    structs: LAYOUT_STRUCTS.0.as_ptr(),");
        w.Line($"    struct_count: {structs.Count},");
        w.Line("});");
        w.Line();
        w.Line("/// This compiler's layout of every ABI struct (size_of, align_of, offset_of!), as static data: put it in");
        w.Line("/// `np_negotiation_t.layout_report` so that a host can name the struct and field that differ when the");
        w.Line("/// layout fingerprint does not match.");
        w.Line("pub fn layout_report() -> &'static np_layout_report_t {");
        w.Line("    &LAYOUT_REPORT.0");
        w.Line("}");
        return w.ToString();
    }

    private static string Test(AbiModel model)
    {
        var w = new CodeWriter();
        Banner.Slashes(w, "interop/layout/layout.g.json (the layout manifest)");
        w.Line("//! Layout conformance: this Rust compiler's view of every ABI struct must equal the manifest that libclang");
        w.Line("//! computed from the C header, and the fingerprints recomputed from it must equal the generated constants.");
        w.Line("#![allow(non_snake_case)]");
        w.Line();
        w.Line("use core::mem::{align_of, offset_of, size_of};");
        w.Line("use nplug_abi::*;");
        w.Line();
        w.Line("/// (name, canonical C type, offset, size, since minor) per field.");
        w.Line("type ManifestField = (&'static str, &'static str, u32, u32, u32);");
        w.Line("/// (name, size, align, since minor, fields) per struct, in declaration order.");
        w.Line("type ManifestStruct = (&'static str, u32, u32, u32, &'static [ManifestField]);");
        w.Line();
        w.Line("const MANIFEST: &[ManifestStruct] = &[");
        w.Indent();
        foreach (var s in model.LaidOutStructs)
        {
            w.Line($"(\"{s.Name}\", {s.Size}, {s.Align}, {s.SinceMinor}, &[");
            w.Indent();
            foreach (var f in s.Fields)
                w.Line($"(\"{f.Name}\", \"{f.Type.Canonical}\", {f.Offset}, {f.Size}, {f.SinceMinor}),");
            w.Outdent();
            w.Line("]),");
        }
        w.Outdent();
        w.Line("];");
        foreach (var s in model.LaidOutStructs)
        {
            w.Line();
            w.Line("#[test]");
            w.Line($"fn layout_{s.Name}() {{");
            w.Indent();
            w.Line($"assert_eq!(size_of::<{s.Name}>(), {s.Size}, \"size_of::<{s.Name}>()\");");
            w.Line($"assert_eq!(align_of::<{s.Name}>(), {s.Align}, \"align_of::<{s.Name}>()\");");
            foreach (var f in s.Fields)
            {
                w.Line($"assert_eq!(offset_of!({s.Name}, {RustNames.Identifier(f.Name)}), {f.Offset}, \"offset_of!({s.Name}, {f.Name})\");");
                w.Line($"assert_eq!(size_of::<{RustNames.Type(f.Type)}>(), {f.Size}, \"size of {s.Name}.{f.Name}\");");
            }
            w.Outdent();
            w.Line("}");
        }
        w.Line();
        w.Line("/// Every struct and field of layout_report(), in manifest order, as (struct, size, align, [(field, offset, size)]).");
        w.Line("fn report() -> Vec<(String, u32, u32, Vec<(String, u32, u32)>)> {");
        w.Line("    let r = layout_report();");
        w.Line("    assert_eq!(r.struct_size as usize, size_of::<np_layout_report_t>());");
        w.Line("    assert_eq!(r.reserved, 0);");
        w.Line("    let text = |s: np_str_t| unsafe { String::from_utf8(std::slice::from_raw_parts(s.ptr, s.len as usize).to_vec()).unwrap() };");
        w.Line("    let structs = unsafe { std::slice::from_raw_parts(r.structs, r.struct_count as usize) };");
        w.Line("    structs.iter().map(|s| {");
        w.Line("        let fields = unsafe { std::slice::from_raw_parts(s.fields, s.field_count as usize) };");
        w.Line("        (text(s.name), s.size, s.align, fields.iter().map(|f| (text(f.name), f.offset, f.size)).collect())");
        w.Line("    }).collect()");
        w.Line("}");
        w.Line();
        w.Line("#[test]");
        w.Line("fn layout_report_matches_manifest() {");
        w.Line("    let report = report();");
        w.Line("    assert_eq!(report.len(), MANIFEST.len(), \"struct count\");");
        w.Line("    for ((name, size, align, fields), (m_name, m_size, m_align, _, m_fields)) in report.iter().zip(MANIFEST) {");
        w.Line("        assert_eq!((name.as_str(), *size, *align), (*m_name, *m_size, *m_align), \"struct {m_name}\");");
        w.Line("        assert_eq!(fields.len(), m_fields.len(), \"field count of {m_name}\");");
        w.Line("        for ((f, offset, fsize), (m_f, _, m_offset, m_fsize, _)) in fields.iter().zip(m_fields.iter()) {");
        w.Line("            assert_eq!((f.as_str(), *offset, *fsize), (*m_f, *m_offset, *m_fsize), \"{m_name}.{m_f}\");");
        w.Line("        }");
        w.Line("    }");
        w.Line("}");
        w.Line();
        w.Line("/// The fingerprint of `minor` recomputed from this compiler's layout (the canonical text of");
        w.Line("/// interop/generator/README.md, with offsets and sizes from layout_report()).");
        w.Line("fn fingerprint_from_this_compiler(minor: u32) -> u64 {");
        w.Line("    let mut text = String::new();");
        w.Line("    for ((name, _, _, fields), (_, _, _, since, m_fields)) in report().iter().zip(MANIFEST) {");
        w.Line("        if *since > minor { continue; }");
        w.Line("        text.push_str(&format!(\"struct {name}\\n\"));");
        w.Line("        for ((f, offset, size), (_, canonical, _, _, f_since)) in fields.iter().zip(m_fields.iter()) {");
        w.Line("            if *f_since <= minor { text.push_str(&format!(\"{f}:{canonical}@{offset}+{size}\\n\")); }");
        w.Line("        }");
        w.Line("    }");
        w.Line("    text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))");
        w.Line("}");
        w.Line();
        w.Line("#[test]");
        w.Line("fn fingerprints_match_this_compilers_layout() {");
        for (uint m = 0; m <= model.AbiMinor; m++)
            w.Line($"    assert_eq!(fingerprint_from_this_compiler({m}), NP_LAYOUT_FINGERPRINT_{model.AbiMajor}_{m}, \"ABI {model.AbiMajor}.{m}\");");
        w.Line($"    assert_eq!(NP_LAYOUT_FINGERPRINT, NP_LAYOUT_FINGERPRINT_{model.AbiMajor}_{model.AbiMinor});");
        w.Line("}");
        return w.ToString();
    }
}
