// Every generated file of the repository, produced from one parsed model. The paths are relative to the
// repository root; the order of the map is the order files are written and reported in.
using NativePlugins.Generator.Emit;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator;

public static class GenerationPlan
{
    public static SortedDictionary<string, string> Generate(AbiModel model)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add(IEnumerable<(string Path, string Text)> outputs)
        {
            foreach (var (path, text) in outputs)
                if (!files.TryAdd(path, text)) throw new GeneratorException($"two emitters write {path}");
        }

        Add(CSharpBindingsEmitter.Emit(model));
        Add(CSharpLayoutEmitter.Emit(model));
        Add(CSharpScalarInitEmitter.Emit(model));
        Add(RustBindingsEmitter.Emit(model));
        Add(RustLayoutEmitter.Emit(model));
        Add(LayoutManifestEmitter.Emit(model));
        Add(CLayoutHeaderEmitter.Emit(model));
        Add(CLayoutTestEmitter.Emit(model));
        Add(CSharpLayoutTestEmitter.Emit(model));
        return files;
    }
}
