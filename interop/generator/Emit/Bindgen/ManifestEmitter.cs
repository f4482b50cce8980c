// Emits layout/<stem>.layout.g.json (interop/interfaces.md, section 2): the layout manifest of the contract's structs,
// in the shape of interop/layout/layout.g.json, plus an `interfaces` array (id, revision, newest minor, vtable, the
// structs of its fingerprint, fingerprints per minor, functions). Tools build a NativeInterfaceContract from it
// (NativeInterfaceContract.FromManifest). Written by hand, one field per line: a layout change is a one-line diff.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class ManifestEmitter
{
    public static string PathOf(ContractModel model) => $"layout/{model.Stem}.layout.g.json";

    public static IEnumerable<(string Path, string Text)> Emit(ContractModel model)
    {
        var decl = model.Declarations;
        var w = new CodeWriter("  ");
        w.Line("{");
        w.Indent();
        w.Line($"\"_generated\": {Str(BindgenBanner.OneLine(model))},");
        w.Line($"\"abi\": {{ \"major\": {decl.AbiMajor}, \"minor\": {decl.AbiMinor} }},");
        w.Line("\"target\": \"x86_64 System V (LP64), as libclang lays out the header with -std=c11\",");
        w.Line("\"fingerprint_algorithm\": \"FNV-1a 64 over the canonical layout text of interop/generator/README.md, per interface\",");
        w.Line($"\"headers\": [{string.Join(", ", decl.Headers.Select(Str))}],");
        w.Line($"\"opaque\": [{string.Join(", ", decl.Structs.Where(s => s.IsOpaque).Select(s => Str(s.Name)))}],");
        w.Line("\"structs\": [");
        w.Indent();
        LayoutManifestEmitter.WriteStructs(w, decl.LaidOutStructs.ToList(), s => NewestMinor(model, s));
        w.Outdent();
        w.Line("],");
        w.Line("\"interfaces\": [");
        w.Indent();
        for (int i = 0; i < model.Interfaces.Count; i++)
        {
            var iface = model.Interfaces[i];
            w.Line("{");
            w.Indent();
            w.Line($"\"id\": {Str(iface.Id)}, \"revision\": {iface.Revision}, \"newestMinor\": {iface.NewestMinor}, \"vtable\": {Str(iface.VTable.Name)},");
            w.Line($"\"instance\": {(iface.Instance is null ? "null" : Str(iface.Instance.Name))},");
            w.Line($"\"structs\": [{string.Join(", ", iface.Structs.Select(s => Str(s.Name)))}],");
            w.Line("\"fingerprints\": {");
            w.Indent();
            for (int m = 0; m <= iface.NewestMinor; m++)
                w.Line($"\"{iface.Revision}.{m}\": \"0x{iface.Fingerprints[m]:x16}\"{Comma(m, (int)iface.NewestMinor + 1)}");
            w.Outdent();
            w.Line("},");
            w.Line("\"functions\": [");
            w.Indent();
            for (int j = 0; j < iface.Functions.Count; j++)
            {
                var f = iface.Functions[j];
                w.Line($"{{ \"name\": {Str(f.Name)}, \"offset\": {f.Field.Offset}, \"required\": {(f.Required ? "true" : "false")}, " +
                       $"\"since\": {f.Field.SinceMinor}, \"role\": {Str(f.Role.ToString().ToLowerInvariant())}, " +
                       $"\"threadTags\": [{string.Join(", ", f.ThreadTags.Select(Str))}], " +
                       $"\"wrapper\": {(f.Wrapper is not null ? "true" : "false")} }}{Comma(j, iface.Functions.Count)}");
            }
            w.Outdent();
            w.Line("]");
            w.Outdent();
            w.Line("}" + Comma(i, model.Interfaces.Count));
        }
        w.Outdent();
        w.Line("]");
        w.Outdent();
        w.Line("}");
        yield return (PathOf(model), w.ToString());
    }

    /// <summary>The minors a struct's size_by_minor covers: those of the interface that reaches it (its own when none does).</summary>
    private static uint NewestMinor(ContractModel model, AbiStruct s) =>
        model.Interfaces.FirstOrDefault(i => i.Structs.Contains(s))?.NewestMinor ??
        s.Fields.Select(f => f.SinceMinor).Append(s.SinceMinor).Max();

    private static string Comma(int index, int count) => index < count - 1 ? "," : "";

    private static string Str(string s) => LayoutManifestEmitter.Str(s);
}
