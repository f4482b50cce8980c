// Every file one `nplug bindgen` run writes, relative to --out, produced from one ContractModel
// (interop/interfaces.md, section 2). The Rust glue of the SDK's trait is appended to the raw declarations of
// rust/<module>.rs, so that a plugin includes one file.
using NativePlugins.Generator.Emit.Bindgen;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Bindgen;

public static class BindgenPlan
{
    /// <summary>The subfolders of --out that bindgen owns: a file there that it no longer writes is stale.</summary>
    public static readonly IReadOnlyList<string> OwnedFolders = ["c", "csharp", "layout", "rust"];

    public static SortedDictionary<string, string> Generate(ContractModel model)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add(IEnumerable<(string Path, string Text)> outputs)
        {
            foreach (var (path, text) in outputs)
                if (!files.TryAdd(path, text)) throw new GeneratorException($"two bindgen emitters write {path}");
        }

        Add(CLayoutEmitter.Emit(model));
        Add(ManifestEmitter.Emit(model));
        Add(CSharpContractEmitter.Emit(model));
        Add(CSharpHostWrapperEmitter.Emit(model));
        Add(CSharpProxyEmitter.Emit(model));
        Add(CSharpPluginGlueEmitter.Emit(model));
        string rust = RustContractEmitter.Emit(model);
        string glue = RustInterfaceGlueEmitter.Emit(model);
        Add([(RustContractEmitter.PathOf(model), glue.Length == 0 ? rust : rust + "\n" + glue)]);
        return files;
    }
}
