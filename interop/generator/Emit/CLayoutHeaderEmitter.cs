// Emits interop/include/nplug/np_layout.g.h: the layout fingerprints per minor, the x.0 sizes of the prefix
// structs, and NP_DEFINE_LAYOUT_REPORT(name), which builds a np_layout_report_t from the including compiler's
// own sizeof/offsetof/_Alignof (so a library reports how IT laid the structs out, not what the generator saw).
using NativePlugins.Generator.Layout;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class CLayoutHeaderEmitter
{
    public const string Path = "interop/include/nplug/np_layout.g.h";

    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        var w = new CodeWriter();
        Banner.CBlock(w, "interop/include/nplug");
        w.Line("/*");
        w.Line(" * np_layout.g.h - layout fingerprints per ABI minor, sizes of the growable structs per minor, and the C layout");
        w.Line(" * report table. Included by nplug.h (include that).");
        w.Line(" */");
        w.Line("#ifndef NP_LAYOUT_G_H");
        w.Line("#define NP_LAYOUT_G_H");
        w.Line();
        w.Line("#include <stddef.h>");
        w.Line("#include <stdint.h>");
        w.Line();
        foreach (var h in model.Headers.Where(h => model.Structs.Any(s => s.Header == h)))
            w.Line($"#include \"{h}\"");
        w.Line();
        w.Line("/* Layout fingerprint of each ABI minor: FNV-1a 64 over the canonical layout text of the fields that exist in");
        w.Line(" * that minor (interop/generator/README.md). np_entry reports the one of the agreed minor. */");
        var fps = LayoutFingerprint.Constants(model);
        foreach (var c in fps.Take(fps.Count - 1))
            w.Line($"#define {c.Name} 0x{(ulong)c.Integer:x16}ull");
        w.Line($"#define NP_LAYOUT_FINGERPRINT NP_LAYOUT_FINGERPRINT_{model.AbiMajor}_{model.AbiMinor}");
        w.Line();
        w.Line("/* The fingerprint of an agreed minor (an expression); 0 for a minor this header does not know. */");
        var chain = string.Concat(Enumerable.Range(0, (int)model.AbiMinor + 1)
            .Select(m => $"(minor) == {m}u ? NP_LAYOUT_FINGERPRINT_{model.AbiMajor}_{m} : "));
        w.Line($"#define NP_LAYOUT_FINGERPRINT_FOR_MINOR(minor) ({chain}0ull)");
        w.Line();
        w.Line("/* sizeof each growable struct (one that starts with struct_size) as each minor defined it: a reader accepts a");
        w.Line(" * struct_size down to the x.0 size (interop/README.md, rule P2). */");
        foreach (var c in SizeConstants(model))
            w.Line($"#define {c.Name} {c.Integer}u");
        w.Line();
        w.Line("/* NP_DEFINE_LAYOUT_REPORT(name) defines, at file scope, `static const np_layout_report_t name` (plus static");
        w.Line(" * arrays prefixed with name) describing this compiler's layout of every ABI struct. Point");
        w.Line(" * np_negotiation_t.layout_report at it so that a host can name the struct and field that differ. */");
        w.Line("#define NP_LAYOUT_NAME_(text) { (const uint8_t *)(text), (uint64_t)(sizeof(text) - 1) }");
        w.Line("#define NP_LAYOUT_FIELD_(type, field) \\");
        w.Line("    { NP_LAYOUT_NAME_(#field), (uint32_t)offsetof(type, field), (uint32_t)sizeof(((type *)0)->field) }");
        w.Line("#if defined(__cplusplus)");
        w.Line("#define NP_LAYOUT_ALIGNOF_(type) alignof(type)");
        w.Line("#else");
        w.Line("#define NP_LAYOUT_ALIGNOF_(type) _Alignof(type)");
        w.Line("#endif");
        w.Line("#define NP_LAYOUT_STRUCT_(fields, type) \\");
        w.Line("    { NP_LAYOUT_NAME_(#type), (uint32_t)sizeof(type), (uint32_t)NP_LAYOUT_ALIGNOF_(type), fields, \\");
        w.Line("      (uint64_t)(sizeof(fields) / sizeof((fields)[0])) }");
        w.Line();
        var structs = model.LaidOutStructs.ToList();
        var lines = new List<string>();
        foreach (var s in structs)
        {
            lines.Add($"static const np_layout_field_t NP_REPORT_##_fields_{s.Name}[] = {{");
            lines.AddRange(s.Fields.Select(f => $"    NP_LAYOUT_FIELD_({s.Name}, {f.Name}),"));
            lines.Add("};");
        }
        lines.Add("static const np_layout_struct_t NP_REPORT_##_structs[] = {");
        lines.AddRange(structs.Select(s => $"    NP_LAYOUT_STRUCT_(NP_REPORT_##_fields_{s.Name}, {s.Name}),"));
        lines.Add("};");
        lines.Add("static const np_layout_report_t NP_REPORT_ = {");
        lines.Add("    (uint32_t)sizeof(np_layout_report_t), 0u, NP_REPORT_##_structs,");
        lines.Add("    (uint64_t)(sizeof(NP_REPORT_##_structs) / sizeof(NP_REPORT_##_structs[0])),");
        lines.Add("}");
        int width = lines.Max(l => l.Length) + 5;
        w.Line("#define NP_DEFINE_LAYOUT_REPORT(NP_REPORT_)".PadRight(width) + "\\");
        for (int i = 0; i < lines.Count; i++)
            w.Line(i < lines.Count - 1 ? ("    " + lines[i]).PadRight(width) + "\\" : "    " + lines[i]);
        w.Line();
        w.Line("#endif /* NP_LAYOUT_G_H */");
        yield return (Path, w.ToString());
    }

    /// <summary>NP_SIZEOF_{struct}_{major}_{minor} for every struct that starts with struct_size.</summary>
    public static IReadOnlyList<AbiConstant> SizeConstants(AbiModel model) =>
        model.LaidOutStructs
            .Where(s => s.Fields[0].Name == "struct_size")
            .SelectMany(s => Enumerable.Range((int)s.SinceMinor, (int)(model.AbiMinor - s.SinceMinor) + 1).Select(m =>
                new AbiConstant($"NP_SIZEOF_{s.Name}_{model.AbiMajor}_{m}", ConstantKind.UInt32, s.SizeAt((uint)m).ToString(),
                    "np_layout.g.h", $"sizeof({s.Name}) as ABI {model.AbiMajor}.{m} defines it.")
                { Integer = s.SizeAt((uint)m) })
                .Prepend(MinSizeConstant(model, s)))
            .ToList();

    /// <summary>
    /// NP_MIN_SIZEOF_{struct}: the least struct_size a reader accepts (rule P2), the size of the struct in the first
    /// minor that has it (x.0 for everything of the first release). One name for every major, so that code checking a
    /// peer's struct_size never spells a version and never compares against today's sizeof by mistake.
    /// </summary>
    private static AbiConstant MinSizeConstant(AbiModel model, AbiStruct s) =>
        new($"NP_MIN_SIZEOF_{s.Name}", ConstantKind.UInt32, s.SizeAt(s.SinceMinor).ToString(), "np_layout.g.h",
            $"The least struct_size of {s.Name} a reader accepts: its size in ABI {model.AbiMajor}.{s.SinceMinor}, the first minor that has it (rule P2).")
        { Integer = s.SizeAt(s.SinceMinor) };
}
