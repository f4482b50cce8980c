// Emits csharp/<StemPascal>.g.cs (interop/interfaces.md, section 2): the contract's structs and constants in C#, and
// per interface `<VTablePascal>Contract`: the NativeInterfaceContract a host registers (built from constant data, no
// reflection) and, for C# plugins, NativeLayout: the interface's np_interface_layout_t as this C# compiler lays the
// structs out (sizeof and pointer arithmetic, NativeAOT-safe). np_* types come from NativePlugins.Interop.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class CSharpContractEmitter
{
    public static string PathOf(ContractModel model) => $"csharp/{ContractNames.StemPascal(model)}.g.cs";

    public static IEnumerable<(string Path, string Text)> Emit(ContractModel model)
    {
        var w = new CodeWriter();
        BindgenBanner.Slashes(w, model);
        w.Line("#nullable enable");
        w.Line("using System.Runtime.InteropServices;");
        w.Line("using NativePlugins.Interop;");
        w.Line();
        w.Line($"namespace {model.CSharpNamespace};");
        var decl = model.Declarations;
        if (decl.Constants.Count > 0) EmitConstants(w, model);
        foreach (var s in decl.Structs) CSharpBindingsEmitter.EmitStruct(w, s, minor => ContractNames.Since(model, s, minor));
        foreach (var f in decl.FunctionTypedefs) CSharpBindingsEmitter.EmitFunctionTypedef(w, f);
        foreach (var i in model.Interfaces) EmitContract(w, model, i);
        yield return (PathOf(model), w.ToString());
    }

    private static void EmitConstants(CodeWriter w, ContractModel model)
    {
        w.Line();
        w.Lines(CSharpNames.Doc($"The constants of {string.Join(", ", model.Declarations.Headers)}."));
        w.Line($"public static class {ContractNames.StemPascal(model)}Constants");
        using (w.Block()) CSharpBindingsEmitter.EmitConstantMembers(w, model.Declarations.Constants, "global::System.ReadOnlySpan<byte>");
    }

    private static void EmitContract(CodeWriter w, ContractModel model, InterfaceModel i)
    {
        string cls = $"{ContractNames.Pascal(i)}Contract";
        w.Line();
        w.Lines(CSharpNames.Doc($"The interface {i.Id} (vtable {i.VTable.Name}): its contract for a host " +
                                "(PluginHostOptions.Interfaces) and its layout for a C# plugin (np_plugin_descriptor_t.interface_layouts)."));
        w.Line($"public static unsafe class {cls}");
        using (w.Block())
        {
            w.Line("/// <summary>The interface id.</summary>");
            w.Line($"public const string Id = {CSharpNames.StringLiteral(i.Id)};");
            w.Line();
            w.Line("/// <summary>The interface revision (the number after the slash of the id).</summary>");
            w.Line($"public const uint Revision = {i.Revision}u;");
            w.Line();
            w.Line("/// <summary>The newest minor of the interface in the header these bindings were generated from.</summary>");
            w.Line($"public const uint NewestMinor = {i.NewestMinor}u;");
            for (uint m = 0; m <= i.NewestMinor; m++)
            {
                w.Line();
                w.Line($"/// <summary>Interface fingerprint of {i.Id} minor {m}: FNV-1a 64 over the canonical layout text of its structs.</summary>");
                w.Line($"public const ulong {ContractNames.Fingerprint(i, m)} = 0x{i.Fingerprints[(int)m]:X16}UL;");
            }
            w.Line();
            w.Line("/// <summary>The interface fingerprint of the newest minor.</summary>");
            w.Line($"public const ulong {ContractNames.Fingerprint(i)} = {ContractNames.Fingerprint(i, i.NewestMinor)};");
            w.Line();
            w.Line($"/// <summary>sizeof({i.VTable.Name}) at minor 0: the least struct_size a library may give.</summary>");
            w.Line($"public const uint MinimumSize = {i.VTable.SizeAt(0)}u;");
            w.Line();
            w.Line("/// <summary>The interface's layout manifest as libclang laid it out: the vtable first, then the structs it reaches.</summary>");
            w.Line("public static global::System.Collections.Generic.IReadOnlyList<NpStructLayout> Structs { get; } =");
            w.Line("[");
            w.Indent();
            foreach (var s in i.Structs)
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
            w.Line("/// <summary>The vtable's function pointers: offset, required (\"Never NULL\"), the minor that added it, role.</summary>");
            w.Line("public static global::System.Collections.Generic.IReadOnlyList<NativeInterfaceFunction> Functions { get; } =");
            w.Line("[");
            w.Indent();
            foreach (var f in i.Functions)
                w.Line($"new(\"{f.Name}\", {f.Field.Offset}, {(f.Required ? "true" : "false")}, {f.Field.SinceMinor}, NativeFunctionRole.{f.Role}),");
            w.Outdent();
            w.Line("];");
            w.Line();
            w.Line("/// <summary>The contract a host registers to call the interface (PluginHostOptions.Interfaces).</summary>");
            w.Line("public static NativeInterfaceContract Value { get; } = new(Id, NewestMinor, Structs, Functions);");
            w.Line();
            w.Line("private static readonly object NativeLayoutLock = new();");
            w.Line("private static np_interface_layout_t* _nativeLayout;");
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// The interface's layout as this C# compiler laid the structs out (fingerprint and report, both computed from");
            w.Line("/// <see cref=\"CompilerView\"/>), for np_plugin_descriptor_t.interface_layouts of a C# plugin. Built once;");
            w.Line("/// native memory that lives as long as the process (a descriptor is static data of the library).");
            w.Line("/// </summary>");
            w.Line("public static np_interface_layout_t* NativeLayout");
            using (w.Block())
            {
                w.Line("get");
                using (w.Block())
                {
                    w.Line("lock (NativeLayoutLock)");
                    using (w.Block())
                    {
                        w.Line("if (_nativeLayout == null)");
                        using (w.Block())
                        {
                            w.Line("var view = CompilerView();");
                            w.Line("var layout = (np_interface_layout_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_interface_layout_t));");
                            w.Line("layout->fingerprint = NpAbiLayout.Fingerprint(view, NewestMinor);");
                            w.Line("layout->report = NpLayoutReport.Allocate(view);");
                            w.Line("_nativeLayout = layout;");
                        }
                        w.Line("return _nativeLayout;");
                    }
                }
            }
            w.Line();
            w.Line("/// <summary>This C# compiler's layout of <see cref=\"Structs\"/>, in the same order (sizeof and pointer arithmetic:");
            w.Line("/// no reflection).</summary>");
            w.Line("public static global::System.Collections.Generic.IReadOnlyList<NpStructLayout> CompilerView() =>");
            w.Line("[");
            w.Indent();
            foreach (var s in i.Structs) w.Line($"View_{s.Name}(),");
            w.Outdent();
            w.Line("];");
            foreach (var s in i.Structs) EmitView(w, s);
        }
    }

    private static void EmitView(CodeWriter w, AbiStruct s)
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
                string offset = f.Type is ArrayType ? $"(uint)((byte*)value.{id} - start)" : $"(uint)((byte*)&value.{id} - start)";
                string size = f.Type is ArrayType a ? $"(uint)sizeof({CSharpNames.Type(a.Element)}) * {a.Length}u" : $"(uint)sizeof({CSharpNames.Type(f.Type)})";
                w.Line($"new(\"{f.Name}\", {CSharpNames.StringLiteral(f.CSpelling)}, {CSharpNames.StringLiteral(f.Type.Canonical)}, {offset}, {size}, {f.SinceMinor}),");
            }
            w.Outdent();
            w.Line("]);");
        }
    }
}
