// Emits c/<stem>_layout.g.h (interop/interfaces.md, section 2): per interface the fingerprint of each minor, and
// <VTABLE>_DEFINE_INTERFACE_LAYOUT(name), which builds the interface's np_interface_layout_t from the including C
// compiler's own sizeof/offsetof/_Alignof (like NP_DEFINE_LAYOUT_REPORT of nplug/np_layout.g.h, whose helper macros
// it uses), so a C plugin reports how IT laid the structs out. Static asserts stop a compile whose layout differs
// from the one bindgen computed (and fingerprinted) with libclang.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class CLayoutEmitter
{
    public static string PathOf(ContractModel model) => $"c/{model.Stem}_layout.g.h";

    public static IEnumerable<(string Path, string Text)> Emit(ContractModel model)
    {
        string guard = Guard(model);
        var w = new CodeWriter();
        BindgenBanner.CBlock(w, model);
        w.Line("/*");
        w.Line($" * {model.Stem}_layout.g.h - layout fingerprints and layout reports of the interfaces of {string.Join(", ", model.Declarations.Headers)}.");
        w.Line(" * A C plugin includes this file (it includes the contract's header and nplug/nplug.h).");
        w.Line(" */");
        w.Line($"#ifndef {guard}");
        w.Line($"#define {guard}");
        w.Line();
        w.Line("#include <stddef.h>");
        w.Line("#include <stdint.h>");
        w.Line();
        w.Line("#include <nplug/nplug.h>");
        foreach (var h in model.Declarations.Headers) w.Line($"#include \"{h}\"");
        w.Line();
        w.Line("#if defined(__cplusplus)");
        w.Line($"#define {guard}_ASSERT_(condition, message) static_assert(condition, message)");
        w.Line("#else");
        w.Line($"#define {guard}_ASSERT_(condition, message) _Static_assert(condition, message)");
        w.Line("#endif");
        foreach (var i in model.Interfaces) EmitInterface(w, model, i, guard);
        w.Line();
        w.Line($"#endif /* {guard} */");
        yield return (PathOf(model), w.ToString());
    }

    private static string Guard(ContractModel model)
    {
        string prefix = Generator.Bindgen.InterfaceIds.Prefix(model.Interfaces[0].Id).ToUpperInvariant();
        string stem = new(model.Stem.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return stem.StartsWith(prefix + "_", StringComparison.Ordinal) ? $"{stem}_LAYOUT_G_H" : $"{prefix}_{stem}_LAYOUT_G_H";
    }

    private static void EmitInterface(CodeWriter w, ContractModel model, InterfaceModel i, string guard)
    {
        string macro = ContractNames.Macro(i);
        w.Line();
        w.Line($"/* ---- {i.Id} ({i.VTable.Name}) " + new string('-', Math.Max(4, 97 - i.Id.Length - i.VTable.Name.Length)) + " */");
        w.Line();
        w.Line($"/* Interface fingerprint of each minor of {i.Id}: FNV-1a 64 over the canonical layout text of the structs the");
        w.Line(" * vtable reaches (interop/interfaces.md). A plugin reports the newest one; the host accepts every minor it knows. */");
        for (uint m = 0; m <= i.NewestMinor; m++)
            w.Line($"#define {ContractNames.Fingerprint(i, m)} 0x{i.Fingerprints[(int)m]:x16}ull");
        w.Line($"#define {ContractNames.Fingerprint(i)} {ContractNames.Fingerprint(i, i.NewestMinor)}");
        w.Line();
        w.Line($"/* sizeof({i.VTable.Name}) at minor 0: the least struct_size a host accepts. */");
        w.Line($"#define {macro}_MIN_SIZE {i.VTable.SizeAt(0)}u");
        w.Line();
        w.Line("/* This compiler must lay the structs out as bindgen did (the fingerprint above is computed from that layout). */");
        foreach (var s in i.Structs)
        {
            static string Msg(string what) => $"\"{what} differs from nplug bindgen's layout\"";
            w.Line($"{guard}_ASSERT_(sizeof({s.Name}) == {s.Size}u, {Msg($"sizeof({s.Name})")});");
            w.Line($"{guard}_ASSERT_(NP_LAYOUT_ALIGNOF_({s.Name}) == {s.Align}u, {Msg($"_Alignof({s.Name})")});");
            foreach (var f in s.Fields)
            {
                w.Line($"{guard}_ASSERT_(offsetof({s.Name}, {f.Name}) == {f.Offset}u, {Msg($"offsetof({s.Name}, {f.Name})")});");
                w.Line($"{guard}_ASSERT_(sizeof((({s.Name} *)0)->{f.Name}) == {f.Size}u, {Msg($"sizeof({s.Name}.{f.Name})")});");
            }
        }

        w.Line();
        w.Line($"/* {macro}_DEFINE_LAYOUT_REPORT(name) defines, at file scope, `static const np_layout_report_t name` (plus static");
        w.Line(" * arrays prefixed with name): this compiler's layout of the interface's structs. */");
        var lines = new List<string>();
        foreach (var s in i.Structs)
        {
            lines.Add($"static const np_layout_field_t name_##_fields_{s.Name}[] = {{");
            lines.AddRange(s.Fields.Select(f => $"    NP_LAYOUT_FIELD_({s.Name}, {f.Name}),"));
            lines.Add("};");
        }
        lines.Add("static const np_layout_struct_t name_##_structs[] = {");
        lines.AddRange(i.Structs.Select(s => $"    NP_LAYOUT_STRUCT_(name_##_fields_{s.Name}, {s.Name}),"));
        lines.Add("};");
        lines.Add("static const np_layout_report_t name_ = {");
        lines.Add("    (uint32_t)sizeof(np_layout_report_t), 0u, name_##_structs,");
        lines.Add("    (uint64_t)(sizeof(name_##_structs) / sizeof(name_##_structs[0])),");
        lines.Add("}");
        MacroBlock(w, $"#define {macro}_DEFINE_LAYOUT_REPORT(name_)", lines);
        w.Line();
        w.Line($"/* An initializer of np_interface_layout_t for {i.Id} with a report defined by {macro}_DEFINE_LAYOUT_REPORT: for");
        w.Line(" * the interface_layouts array of a plugin that lists several interfaces. */");
        w.Line($"#define {macro}_INTERFACE_LAYOUT(report_) {{ {ContractNames.Fingerprint(i)}, &(report_) }}");
        w.Line();
        w.Line($"/* {macro}_DEFINE_INTERFACE_LAYOUT(name) defines, at file scope, `static const np_interface_layout_t name` (the");
        w.Line($" * fingerprint and this compiler's layout report of {i.Id}): point np_plugin_descriptor_t.interface_layouts at it");
        w.Line(" * (its element for this interface). */");
        MacroBlock(w, $"#define {macro}_DEFINE_INTERFACE_LAYOUT(name_)",
        [
            $"{macro}_DEFINE_LAYOUT_REPORT(name_##_report);",
            $"static const np_interface_layout_t name_ = {macro}_INTERFACE_LAYOUT(name_##_report)",
        ]);
    }

    /// <summary>A multi-line macro with its continuation backslashes in one column.</summary>
    private static void MacroBlock(CodeWriter w, string head, IReadOnlyList<string> body)
    {
        int width = Math.Max(head.Length, body.Max(l => l.Length + 4)) + 1;
        w.Line(head.PadRight(width) + "\\");
        for (int k = 0; k < body.Count; k++)
            w.Line(k < body.Count - 1 ? ("    " + body[k]).PadRight(width) + "\\" : "    " + body[k]);
    }
}
