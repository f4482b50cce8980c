// Emits tests/NativePlugins.Interop.Tests/StructLayoutTests.g.cs: one test per struct that checks the C# compiler's
// layout of the generated struct (Unsafe.SizeOf, alignment, the offset and size of every field) against the
// manifest numbers, written out as literals so that a failing test names the struct, field and both values.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class CSharpLayoutTestEmitter
{
    public const string Path = "tests/NativePlugins.Interop.Tests/StructLayoutTests.g.cs";

    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        var w = new CodeWriter();
        Banner.Slashes(w, "interop/layout/layout.g.json (the layout manifest)");
        w.Line("using System.Runtime.CompilerServices;");
        w.Line("using NativePlugins.Interop;");
        w.Line("using Xunit;");
        w.Line();
        w.Line("namespace NativePlugins.Interop.Tests;");
        w.Line();
        w.Line("/// <summary>The C# compiler's layout of every generated struct equals the manifest (libclang's layout of the C header).</summary>");
        w.Line("public sealed unsafe class StructLayoutTests");
        using (w.Block())
        {
            bool first = true;
            foreach (var s in model.LaidOutStructs)
            {
                if (!first) w.Line();
                first = false;
                w.Line("[Fact]");
                w.Line($"public void {s.Name}_matches_the_manifest()");
                using (w.Block())
                {
                    w.Line($"{s.Name} value = default;");
                    w.Line("byte* start = (byte*)&value;");
                    w.Line($"var check = new LayoutAssert(\"{s.Name}\");");
                    w.Line($"check.Equal(\"size\", {s.Size}, Unsafe.SizeOf<{s.Name}>());");
                    w.Line($"check.Equal(\"alignment\", {s.Align}, NpAlignment.Of<{s.Name}>());");
                    foreach (var f in s.Fields)
                    {
                        string id = CSharpNames.Identifier(f.Name);
                        if (f.Type is ArrayType a)
                        {
                            w.Line($"check.Equal(\"{f.Name} offset\", {f.Offset}, (byte*)value.{id} - start);");
                            w.Line($"check.Equal(\"{f.Name} size\", {f.Size}, sizeof({CSharpNames.Type(a.Element)}) * {a.Length});");
                        }
                        else
                        {
                            w.Line($"check.Equal(\"{f.Name} offset\", {f.Offset}, (byte*)&value.{id} - start);");
                            w.Line($"check.Equal(\"{f.Name} size\", {f.Size}, sizeof({CSharpNames.Type(f.Type)}));");
                        }
                    }
                    w.Line("check.Done();");
                }
            }
        }
        yield return (Path, w.ToString());
    }
}
