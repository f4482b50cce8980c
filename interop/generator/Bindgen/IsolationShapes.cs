// Which interfaces can be called across process isolation (PluginHostOptions.Isolation), and the signature
// description the host's proxy and the worker's generic stub both read (native/worker/include/npw_protocol.h,
// NPW_OP_CALL_CREATE). An interface qualifies when it has instances and every method has a typed wrapper shape
// (rule I6: integers, np_str_t, np_bytes_t, one out_* integer or np_out_bytes_t *, a final np_error_t *) and takes
// the instance first: those are the types whose values can be copied into shared memory and back without knowing
// anything else about them. Any other parameter (a raw pointer, a callback, a struct by value) keeps its in-process
// bindings and gets no proxy; bindgen says which function and parameter is the reason.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Bindgen;

public static class IsolationShapes
{
    /// <summary>The most functions a description carries: the worker reports which ones the plugin provides as the
    /// bits of one 64-bit mask.</summary>
    public const int MaxFunctions = 64;

    /// <summary>The description's lines (one per vtable function, in declaration order), or null and why the interface
    /// cannot be isolated.</summary>
    public static (IReadOnlyList<string>? Lines, string? Reason) Of(InterfaceModel itf)
    {
        if (!itf.HasInstances || itf.Destroy is null)
            return (null, "it has no @create/@destroy, so a call could not name the instance (and the worker process) it is for");
        if (itf.Functions.Count > MaxFunctions)
            return (null, $"it has {itf.Functions.Count} functions, more than the {MaxFunctions} a proxy describes");
        var lines = new List<string>(itf.Functions.Count);
        foreach (var f in itf.Functions)
        {
            string head = $"{f.Name} {f.Field.Offset} {(f.Required ? 1 : 0)}";
            if (f.Role != FunctionRole.Method)
            {
                lines.Add($"{head} {(f.Role == FunctionRole.Create ? "@create" : "@destroy")}");
                continue;
            }
            if (f.Wrapper is not { } shape)
                return (null, $"function `{f.Name}`: {f.NoWrapperReason}");
            if (!shape.IsInstanceMethod)
                return (null, $"function `{f.Name}` does not take the instance (`{itf.Instance?.Name} *`) first, so an isolated " +
                              "call could not name the worker process it goes to");
            var codes = new List<string>(f.Type.Parameters.Count + 1)
            {
                shape.ReturnsStatus ? "st" : f.Type.Return == PrimitiveType.Void ? "v" : Scalar(f.Type.Return),
            };
            for (int i = 0; i < f.Type.Parameters.Count; i++)
            {
                var p = f.Type.Parameters[i];
                if (i == 0) codes.Add("self");
                else if (i == shape.ErrorIndex) codes.Add("e");
                else if (i == shape.Result.Index)
                    codes.Add(shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText ? "o" : "p" + Scalar(shape.Result.Type!));
                else
                    codes.Add(shape.Inputs.First(x => x.Index == i).Kind switch
                    {
                        InputKind.Text => "s",
                        InputKind.Bytes => "b",
                        _ => Scalar(p.Type),
                    });
            }
            lines.Add($"{head} {string.Join(' ', codes)}");
        }
        return (lines, null);
    }

    /// <summary>i8 .. u64 for a fixed-width integer (or a typedef of one).</summary>
    private static string Scalar(AbiType t) => t switch
    {
        AliasType a => Scalar(a.Target),
        PrimitiveType { Name: var n } when n.EndsWith("_t", StringComparison.Ordinal) && n.Contains("int", StringComparison.Ordinal) =>
            (n.StartsWith('u') ? "u" : "i") + n[(n.IndexOf("int", StringComparison.Ordinal) + 3)..^2],
        _ => throw new GeneratorException($"`{t.Canonical}` is not a fixed-width integer"),
    };
}
