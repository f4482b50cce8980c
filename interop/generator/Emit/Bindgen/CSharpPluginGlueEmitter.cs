// Emits csharp/<StemPascal>.Plugin.g.cs (interop/interfaces.md section 2): the C# plugin side of each interface with
// instances. Per interface, `[NativeInterface] public interface I<VTable>` (the methods a [NativePlugin] class
// implements) and `<VTable>Exports` (the [UnmanagedCallersOnly] functions of its vtable, which find the instance and
// call the interface method inside the C# SDK's exception boundary, and BuildVTable, which the SDK's source generator
// calls with the plugin's generated create). It builds on the raw declarations of <StemPascal>.g.cs (the structs and
// <VTable>Contract) and on NativePlugins.PluginSdk.
using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class CSharpPluginGlueEmitter
{
    private const string Cdecl = "[UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]";

    public static IEnumerable<(string Path, string Text)> Emit(ContractModel model)
    {
        if (model.Interfaces.Count == 0) yield break;
        var w = new CodeWriter();
        BindgenBanner.Slashes(w, model);
        w.Line("#nullable enable");
        w.Line("#pragma warning disable CS1591");
        w.Line("using System;");
        w.Line("using System.ComponentModel;");
        w.Line("using System.Runtime.CompilerServices;");
        w.Line("using System.Runtime.InteropServices;");
        w.Line("using NativePlugins.Interop;");
        w.Line("using NativePlugins.PluginSdk;");
        w.Line("using NativePlugins.PluginSdk.Runtime;");
        w.Line();
        w.Line($"namespace {model.CSharpNamespace};");
        foreach (var itf in model.Interfaces)
        {
            var plan = InterfacePlan.For(itf);
            if (plan.Refusal is not null)
            {
                w.Line();
                w.Line($"// {itf.Id}: no C# plugin side, {plan.Refusal}.");
                continue;
            }
            EmitInterface(w, plan);
            EmitExports(w, plan);
        }
        yield return ($"csharp/{ContractNames.StemPascal(model)}.Plugin.g.cs", w.ToString());
    }

    private static void EmitInterface(CodeWriter w, InterfacePlan plan)
    {
        var itf = plan.Interface;
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// The plugin side of {Xml(itf.Id)} ({Xml(itf.VTable.Name)}): implement it on a [NativePlugin] class, whose");
        w.Line($"/// constructor is the interface's create (it may take PluginConfig and PluginHost) and whose Dispose, when it is");
        w.Line($"/// IDisposable, its destroy. A PluginException is the call's status; any other exception is NP_ERR_PANIC and");
        w.Line($"/// poisons the instance.");
        foreach (var f in plan.LeftNull)
            w.Line($"/// {Xml(f.Name)} stays NULL in a C# plugin's vtable: {Xml(plan.WhyNull(f))}.");
        w.Line("/// </summary>");
        w.Line($"[NativeInterface({CSharpNames.StringLiteral(itf.Id)}, typeof({plan.Exports}))]");
        w.Line($"public interface {plan.Name}");
        using (w.Block())
        {
            bool first = true;
            foreach (var f in plan.Methods)
            {
                if (!first) w.Line();
                first = false;
                var doc = DocText.Lines(f.Field.Doc).Select(Xml).ToList();
                if (!f.Required)
                    doc.Add("Optional: when not implemented, the function answers NP_ERR_UNSUPPORTED.");
                w.Line("/// <summary>");
                foreach (var l in doc) w.Line("/// " + l);
                w.Line("/// </summary>");
                string signature = $"{MethodReturn(f)} {Pascal(f.Name)}({string.Join(", ", MethodParameters(f))})";
                if (f.Required)
                    w.Line(signature + ";");
                else
                    w.Line($"{signature} => throw PluginException.Unsupported({CSharpNames.StringLiteral($"{itf.Id}: {f.Name} is not implemented by this plugin")});");
            }
        }
    }

    private static void EmitExports(CodeWriter w, InterfacePlan plan)
    {
        var itf = plan.Interface;
        string instance = CSharpNames.Type(new PointerType(new StructType(itf.Instance!.Name), false));
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// The exports of {Xml(itf.Id)} for C# plugins: the vtable's functions, which find the instance, check the");
        w.Line($"/// arguments (rule P6) and call {Xml(plan.Name)} inside the C# SDK's exception boundary. The SDK's source");
        w.Line("/// generator calls BuildVTable with each plugin's create and puts Layout into the descriptor.");
        w.Line("/// </summary>");
        w.Line("[EditorBrowsable(EditorBrowsableState.Never)]");
        w.Line($"public static unsafe class {plan.Exports}");
        using (w.Block())
        {
            w.Line("/// <summary>The interface id.</summary>");
            w.Line($"public const string InterfaceId = {CSharpNames.StringLiteral(itf.Id)};");
            w.Line();
            w.Line("/// <summary>The interface fingerprint and layout report, for np_plugin_descriptor_t.interface_layouts.</summary>");
            w.Line($"public static np_interface_layout_t Layout => *{plan.Contract}.NativeLayout;");
            w.Line();
            w.Line("/// <summary>The vtable around a plugin's generated <paramref name=\"create\"/>: static native memory, never freed");
            w.Line("/// (descriptors are static data of the library).</summary>");
            w.Line($"public static void* BuildVTable({CSharpNames.Type(itf.Create!.Type)} create)");
            using (w.Block())
            {
                string vtable = itf.VTable.Name;
                w.Line($"var vtable = ({vtable}*)NativeMemory.AllocZeroed((nuint)sizeof({vtable}));");
                w.Line($"vtable->struct_size = (uint)sizeof({vtable});");
                foreach (var f in itf.Functions)
                {
                    string field = CSharpNames.Identifier(f.Name);
                    if (f.Role == FunctionRole.Create) w.Line($"vtable->{field} = create;");
                    else if (f.Role == FunctionRole.Destroy) w.Line($"vtable->{field} = &OnDestroy;");
                    else if (plan.Methods.Contains(f)) w.Line($"vtable->{field} = &On{Pascal(f.Name)};");
                    else w.Line($"vtable->{field} = null; // stays NULL: {plan.WhyNull(f)}");
                }
                w.Line("return vtable;");
            }
            w.Line();
            w.Line(Cdecl);
            w.Line($"private static void OnDestroy({instance} instance) => InstanceExports.Destroy(instance);");
            foreach (var f in plan.Methods) EmitThunk(w, plan, f);
        }
    }

    private static void EmitThunk(CodeWriter w, InterfacePlan plan, InterfaceFunction f)
    {
        var shape = f.Wrapper!;
        var parameters = f.Type.Parameters.Select((p, i) => (Name: ParameterName(p, i), p.Type, Index: i)).ToList();
        var carried = parameters.Where(p => p.Index != 0 && p.Index != shape.ErrorIndex).ToList();
        string call = $"{Pascal(f.Name)}Call";
        string returnType = CSharpNames.Type(f.Type.Return);
        string error = shape.ErrorIndex >= 0 ? parameters[shape.ErrorIndex].Name : "null";

        w.Line();
        w.Line(Cdecl);
        w.Line($"private static {returnType} On{Pascal(f.Name)}({string.Join(", ", parameters.Select(p => $"{CSharpNames.Type(p.Type)} {p.Name}"))})");
        using (w.Block())
        {
            string init = carried.Count == 0 ? "" : " { " + string.Join(", ", carried.Select(p => $"{p.Name} = {p.Name}")) + " }";
            w.Line($"var call = new {call}{(init.Length == 0 ? "()" : "")}{init};");
            string run = $"InstanceExports.Call<{plan.Name}, {call}>({parameters[0].Name}, InterfaceId, {CSharpNames.StringLiteral(f.Name)}, ref call, {error})";
            if (shape.ReturnsStatus) w.Line($"return {run};");
            else if (shape.Result.Kind == ResultKind.ReturnValue)
            {
                w.Line($"{run};");
                w.Line("return call.Returned;");
            }
            else w.Line($"{run};");
        }

        w.Line();
        w.Line($"private struct {call} : IInstanceCall<{plan.Name}>");
        using (w.Block())
        {
            foreach (var p in carried) w.Line($"public {CSharpNames.Type(p.Type)} {p.Name};");
            if (shape.Result.Kind == ResultKind.ReturnValue) w.Line($"public {CSharpNames.Type(shape.Result.Type!)} Returned;");
            w.Line();
            w.Line($"public int Invoke({plan.Name} plugin)");
            using (w.Block())
            {
                var arguments = new List<string>();
                foreach (var p in parameters)
                {
                    var input = shape.Inputs.FirstOrDefault(i => i.Index == p.Index);
                    string literal = CSharpNames.StringLiteral(p.Name.TrimStart('@'));
                    if (input is not null)
                    {
                        arguments.Add(input.Kind switch
                        {
                            InputKind.Text => $"InterfaceArguments.Text(this.{p.Name}, {literal})",
                            InputKind.Bytes => $"InterfaceArguments.Bytes(this.{p.Name}, {literal})",
                            _ => $"this.{p.Name}",
                        });
                    }
                    else if (p.Index == shape.Result.Index && shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText)
                        arguments.Add($"InterfaceArguments.Output(this.{p.Name}, {literal})");
                }
                string invoke = $"plugin.{Pascal(f.Name)}({string.Join(", ", arguments)})";
                switch (shape.Result.Kind)
                {
                    case ResultKind.OutInteger:
                        var result = parameters[shape.Result.Index];
                        w.Line($"var result = InterfaceArguments.Result(this.{result.Name}, {CSharpNames.StringLiteral(result.Name.TrimStart('@'))});");
                        w.Line($"*result = {invoke};");
                        break;
                    case ResultKind.ReturnValue:
                        w.Line($"Returned = {invoke};");
                        break;
                    default:
                        w.Line($"{invoke};");
                        break;
                }
                w.Line("return NpAbi.NP_OK;");
            }
        }
    }

    private static string MethodReturn(InterfaceFunction f) => f.Wrapper!.Result.Kind switch
    {
        ResultKind.ReturnValue or ResultKind.OutInteger => CSharpNames.Type(f.Wrapper.Result.Type!),
        _ => "void",
    };

    /// <summary>The C# method's parameters in the C order: the inputs, and the OutBytes writer where the C function
    /// takes its np_out_bytes_t *.</summary>
    private static IEnumerable<string> MethodParameters(InterfaceFunction f)
    {
        var shape = f.Wrapper!;
        for (int i = 0; i < f.Type.Parameters.Count; i++)
        {
            string name = CSharpNames.Identifier(Camel(ParameterName(f.Type.Parameters[i], i).TrimStart('@')));
            var input = shape.Inputs.FirstOrDefault(x => x.Index == i);
            if (input is not null)
            {
                yield return input.Kind switch
                {
                    InputKind.Text => $"string {name}",
                    InputKind.Bytes => $"ReadOnlySpan<byte> {name}",
                    _ => $"{CSharpNames.Type(input.Type)} {name}",
                };
            }
            else if (i == shape.Result.Index && shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText)
                yield return $"OutBytes {name}";
        }
    }

    private static string ParameterName(AbiParameter p, int index) =>
        CSharpNames.Identifier(p.Name.Length == 0 ? $"p{index}" : p.Name);

    private static string Pascal(string cName) => InterfaceIds.Pascal(cName);

    private static string Camel(string cName)
    {
        string pascal = Pascal(cName);
        return pascal.Length == 0 ? cName : char.ToLowerInvariant(pascal[0]) + pascal[1..];
    }

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>
    /// What the C# plugin side of one interface is made of: the functions that become interface methods, those left
    /// NULL, or why the interface has no C# plugin side at all. A C# method becomes a vtable function when the function
    /// is an instance method with a typed wrapper shape (rule I6) and is not <c>[leaf]</c>: a host may call a
    /// <c>[leaf]</c> function without a GC transition, which a managed [UnmanagedCallersOnly] method cannot survive
    /// (interop/README.md rule P11), and the SDK cannot implement a user's leaf natively as it does np.transform/1's
    /// stats, since only the interface knows what it means. So an optional [leaf] function stays NULL (the ABI allows
    /// it), and an interface with a required one, or with a required function of another shape, has no C# side.
    /// </summary>
    private sealed class InterfacePlan
    {
        public required InterfaceModel Interface { get; init; }
        public required List<InterfaceFunction> Methods { get; init; }
        public required List<InterfaceFunction> LeftNull { get; init; }
        public string? Refusal { get; init; }

        public string Name => "I" + ContractNames.Pascal(Interface);
        public string Exports => ContractNames.Pascal(Interface) + "Exports";
        public string Contract => ContractNames.Pascal(Interface) + "Contract";

        public string WhyNull(InterfaceFunction f) => WhyNotMethod(f) ?? "not offered";

        public static string? WhyNotMethod(InterfaceFunction f) =>
            f.IsLeaf ? "it is [leaf], and a host may call a [leaf] function without a GC transition, which managed code cannot survive (rule P11)"
            : f.Wrapper is null ? $"it has no typed wrapper ({f.NoWrapperReason})"
            : !f.Wrapper.IsInstanceMethod ? "it is not an instance method"
            : null;

        public static InterfacePlan For(InterfaceModel itf)
        {
            var methods = new List<InterfaceFunction>();
            var leftNull = new List<InterfaceFunction>();
            string? refusal = itf.HasInstances ? null : "it has no instances (a C# plugin implements interfaces with @create and @destroy)";
            foreach (var f in itf.Functions.Where(f => f.Role == FunctionRole.Method))
            {
                string? why = WhyNotMethod(f);
                if (why is null) methods.Add(f);
                else if (!f.Required) leftNull.Add(f);
                else refusal ??= $"its required function {f.Name} cannot be a C# method: {why}";
            }
            return new InterfacePlan { Interface = itf, Methods = methods, LeftNull = leftNull, Refusal = refusal };
        }
    }
}
