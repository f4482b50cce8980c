// Emits Generated/NpAbiLayout.g.cs: the layout constants of np_layout.g.h as NpAbi members, the layout manifest
// as data (NpAbiLayout.Structs) and this C# compiler's view of every struct (NpAbiLayout.CreateCompilerView),
// computed with sizeof and pointer arithmetic on the generated structs: no reflection, so it works under NativeAOT.
using NativePlugins.Generator.Layout;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class CSharpLayoutEmitter
{
    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        var w = CSharpBindingsEmitter.Start("interop/include/nplug (struct layouts as libclang computes them)");
        CSharpBindingsEmitter.EmitConstants(w, LayoutFingerprint.Constants(model).Concat(CLayoutHeaderEmitter.SizeConstants(model)),
            "Layout constants of np_layout.g.h: fingerprints per ABI minor, sizes of the growable structs per minor.");
        var structs = model.LaidOutStructs.ToList();
        w.Line();
        w.Line("public static unsafe partial class NpAbiLayout");
        using (w.Block())
        {
            w.Line("/// <summary>The ABI version the manifest describes (NP_ABI_MAJOR.NP_ABI_MINOR).</summary>");
            w.Line($"public const uint AbiMajor = {model.AbiMajor};");
            w.Line();
            w.Line($"public const uint AbiMinor = {model.AbiMinor};");
            w.Line();
            w.Line("/// <summary>The layout manifest (interop/layout/layout.g.json): every struct as libclang laid it out, in");
            w.Line("/// declaration order.</summary>");
            w.Line("public static IReadOnlyList<NpStructLayout> Structs { get; } =");
            w.Line("[");
            w.Indent();
            foreach (var s in structs)
            {
                w.Line($"new(\"{s.Name}\", {s.Size}, {s.Align}, {s.SinceMinor},");
                w.Line("[");
                w.Indent();
                foreach (var f in s.Fields)
                    w.Line($"new(\"{f.Name}\", {CSharpNames.StringLiteral(f.CSpelling)}, {CSharpNames.StringLiteral(f.Type.Canonical)}, {f.Offset}, {f.Size}, {f.SinceMinor}),");
                w.Outdent();
                w.Line("]),");
            }
            w.Outdent();
            w.Line("];");
            w.Line();
            w.Line("/// <summary>Structs that are only used through pointers and have no layout.</summary>");
            w.Line($"public static IReadOnlyList<string> OpaqueStructs {{ get; }} = [{string.Join(", ", model.Structs.Where(s => s.IsOpaque).Select(s => $"\"{s.Name}\""))}];");
            w.Line();
            w.Line("/// <summary>This C# compiler's layout of every struct of <see cref=\"Structs\"/>, in the same order.</summary>");
            w.Line("private static NpStructLayout[] CreateCompilerView() =>");
            w.Line("[");
            w.Indent();
            foreach (var s in structs) w.Line($"View_{s.Name}(),");
            w.Outdent();
            w.Line("];");
            foreach (var s in structs)
            {
                w.Line();
                w.Line($"private static NpStructLayout View_{s.Name}()");
                using (w.Block())
                {
                    w.Line($"{s.Name} value = default;");
                    w.Line("byte* start = (byte*)&value;");
                    w.Line($"return new(\"{s.Name}\", (uint)sizeof({s.Name}), NpAlignment.Of<{s.Name}>(), {s.SinceMinor},");
                    w.Line("[");
                    w.Indent();
                    foreach (var f in s.Fields)
                    {
                        string id = CSharpNames.Identifier(f.Name);
                        string offset, size;
                        if (f.Type is ArrayType a)
                        {
                            offset = $"(uint)((byte*)value.{id} - start)";
                            size = $"(uint)sizeof({CSharpNames.Type(a.Element)}) * {a.Length}u";
                        }
                        else
                        {
                            offset = $"(uint)((byte*)&value.{id} - start)";
                            size = $"(uint)sizeof({CSharpNames.Type(f.Type)})";
                        }
                        w.Line($"new(\"{f.Name}\", {CSharpNames.StringLiteral(f.CSpelling)}, {CSharpNames.StringLiteral(f.Type.Canonical)}, {offset}, {size}, {f.SinceMinor}),");
                    }
                    w.Outdent();
                    w.Line("]);");
                }
            }
        }
        yield return ($"{CSharpBindingsEmitter.Folder}/NpAbiLayout.g.cs", w.ToString());
    }
}
