// Rule I6 of interop/interfaces.md: which vtable functions the typed wrappers (the .NET host's methods, the Rust
// trait, the C# plugin interface) can be generated for, and the shape each wrapper has. A function outside the rule
// still gets its raw function pointer; the reason it has no wrapper is reported, never an error.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Bindgen;

internal static class WrapperShapes
{
    /// <summary>The wrapper shape of a function, or null and the reason there is none.</summary>
    /// <param name="fn">The function pointer's type.</param>
    /// <param name="instance">The interface's opaque instance struct, or null without instances.</param>
    /// <param name="doc">The function's doc comment (<c>@returns text</c> makes an np_out_bytes_t result text).</param>
    public static (WrapperShape? Shape, string? Reason) Of(FunctionPointerType fn, AbiStruct? instance, string doc)
    {
        var inputs = new List<WrapperInput>();
        WrapperResult? result = null;
        bool isInstanceMethod = false;
        int errorIndex = -1;
        var ps = fn.Parameters;
        for (int i = 0; i < ps.Count; i++)
        {
            var p = ps[i];
            string name = p.Name.Length > 0 ? p.Name : $"arg{i}";
            if (i == 0 && instance is not null && p.Type is PointerType { Pointee: StructType s } && s.Name == instance.Name)
            {
                isInstanceMethod = true;
                continue;
            }
            if (i == ps.Count - 1 && p.Type is PointerType { Pointee: StructType { Name: "np_error_t" }, PointeeConst: false })
            {
                errorIndex = i;
                continue;
            }
            if (IsInteger(p.Type))
            {
                inputs.Add(new WrapperInput(i, name, InputKind.Integer, p.Type));
                continue;
            }
            if (p.Type is StructType { Name: "np_str_t" or "np_bytes_t" } byValue)
            {
                inputs.Add(new WrapperInput(i, name, byValue.Name == "np_str_t" ? InputKind.Text : InputKind.Bytes, p.Type));
                continue;
            }
            WrapperResult? output = p.Type switch
            {
                PointerType { Pointee: var t, PointeeConst: false } when IsInteger(t) && name.StartsWith("out_", StringComparison.Ordinal) =>
                    new WrapperResult(ResultKind.OutInteger, i, t),
                PointerType { Pointee: StructType { Name: "np_out_bytes_t" }, PointeeConst: false } =>
                    new WrapperResult(doc.Contains("@returns text", StringComparison.Ordinal) ? ResultKind.OutText : ResultKind.OutBytes, i, null),
                _ => null,
            };
            if (output is null)
                return (null, $"parameter `{name}` of type `{p.Type.Canonical}` is not one the typed wrappers understand " +
                              "(integers, np_str_t, np_bytes_t, an integer out_* pointer, np_out_bytes_t *, a final np_error_t *)");
            if (result is not null)
                return (null, $"more than one result (`{ps[result.Index].Name}` and `{name}`)");
            result = output;
        }

        bool returnsStatus = fn.Return is AliasType { Name: "np_status" };
        if (!returnsStatus && fn.Return != PrimitiveType.Void)
        {
            if (!IsInteger(fn.Return))
                return (null, $"returns `{fn.Return.Canonical}`; the typed wrappers understand np_status, an integer or void");
            if (result is not null)
                return (null, $"more than one result (the `{fn.Return.Canonical}` it returns and `{ps[result.Index].Name}`)");
            result = new WrapperResult(ResultKind.ReturnValue, -1, fn.Return);
        }
        return (new WrapperShape(isInstanceMethod, inputs, result ?? new WrapperResult(ResultKind.None, -1, null), returnsStatus, errorIndex), null);
    }

    /// <summary>A fixed-width integer, or a typedef of one other than np_status (a status is not a value).</summary>
    public static bool IsInteger(AbiType t) => t switch
    {
        PrimitiveType p => p != PrimitiveType.Void,
        AliasType { Name: "np_status" } => false,
        AliasType a => IsInteger(a.Target),
        _ => false,
    };
}
