// Human-readable listing of the parsed model, for checking what the generator understood (--dump).
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator;

internal static class ModelDump
{
    public static void Write(AbiModel model, TextWriter w)
    {
        w.WriteLine($"ABI {model.AbiMajor}.{model.AbiMinor}; headers: {string.Join(", ", model.Headers)}");
        foreach (var c in model.Constants)
            w.WriteLine($"const {c.Name} : {c.Kind} = {(c.Kind == ConstantKind.String ? "\"" + c.Text + "\"" : c.Integer.ToString())}   [{c.Header}]");
        foreach (var a in model.Aliases) w.WriteLine($"typedef {a.Name} = {a.Target.Canonical}   [{a.Header}]");
        foreach (var f in model.FunctionTypedefs) w.WriteLine($"typedef {f.Name} = {f.Type.Canonical}   [{f.Header}]");
        foreach (var s in model.Structs)
        {
            w.WriteLine(s.IsOpaque
                ? $"struct {s.Name} (opaque, tag {s.Tag})   [{s.Header}]"
                : $"struct {s.Name} size {s.Size} align {s.Align} since {model.AbiMajor}.{s.SinceMinor}   [{s.Header}]");
            foreach (var f in s.Fields)
                w.WriteLine($"  @{f.Offset,-4} +{f.Size,-3} {f.Name,-22} {f.Type.Canonical}   since {model.AbiMajor}.{f.SinceMinor}   (C: {f.CSpelling})");
        }
    }
}
