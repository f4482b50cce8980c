// Placeholder: filled in by the work on typed wrappers (interop/interfaces.md section 2). Returns no file yet.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class CSharpPluginGlueEmitter
{
    public static IEnumerable<(string Path, string Text)> Emit(ContractModel model) => [];
}
