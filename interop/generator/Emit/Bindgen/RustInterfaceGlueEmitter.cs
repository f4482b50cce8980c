// Placeholder: filled in by the work on the Rust SDK's Interface trait (interop/interfaces.md section 2). Its text is
// appended to rust/<module>.rs after the raw declarations; empty yet.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class RustInterfaceGlueEmitter
{
    public static string Emit(ContractModel model) => "";
}
