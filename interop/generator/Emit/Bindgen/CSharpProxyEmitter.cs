// csharp/<StemPascal>.Proxy.g.cs of `nplug bindgen`: per interface that can be isolated (IsolationShapes), what
// carries the typed wrapper's calls to a worker process (PluginHostOptions.Isolation) without changing the wrapper:
// the signature description (one line per vtable function; the worker's generic stub calls the plugin from the same
// text with libffi) and one [UnmanagedCallersOnly] forwarder per method, with the vtable's own signature. An isolated
// instance's vtable is made of these forwarders, so the wrapper calls it as it calls a plugin; a forwarder only packs
// its arguments into slots and calls NativeProxy.Invoke (src/NativePlugins.Host), which makes the whole call one
// request. The wrapper opts in through INativeInstance<T>.Proxy, so bindings without this file still compile.
using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class CSharpProxyEmitter
{
    public static IEnumerable<(string Path, string Text)> Emit(ContractModel model)
    {
        var isolated = model.Interfaces
            .Select(i => (Interface: i, IsolationShapes.Of(i).Lines))
            .Where(x => x.Lines is not null)
            .ToList();
        if (isolated.Count == 0) yield break;
        var w = new CodeWriter();
        BindgenBanner.Slashes(w, model);
        w.Line("#nullable enable");
        w.Line();
        w.Line("using System.Runtime.CompilerServices;");
        w.Line("using System.Runtime.InteropServices;");
        w.Line("using NativePlugins.Hosting;");
        w.Line("using NativePlugins.Interop;");
        w.Line();
        w.Line($"namespace {model.CSharpNamespace};");
        foreach (var (itf, lines) in isolated)
        {
            w.Line();
            Proxy(w, itf, lines!);
        }
        yield return ($"csharp/{ContractNames.StemPascal(model)}.Proxy.g.cs", w.ToString());
    }

    private static void Proxy(CodeWriter w, InterfaceModel itf, IReadOnlyList<string> lines)
    {
        string type = ContractNames.Pascal(itf);
        w.Line("/// <summary>");
        w.Line($"/// {itf.Id} can be called in a worker process (PluginHostOptions.Isolation): its calls go through {type}Proxy.");
        w.Line("/// </summary>");
        w.Line($"public sealed unsafe partial class {type}");
        using (w.Block())
            w.Line($"static NativeProxy? INativeInstance<{type}>.Proxy => {type}Proxy.Value;");
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// The proxy of {itf.Id}: its signature description and one forwarder per method, which packs the arguments");
        w.Line("/// into slots and hands the call to the worker in one request (<see cref=\"NativeProxy.Invoke\"/>).");
        w.Line("/// </summary>");
        w.Line($"internal static unsafe class {type}Proxy");
        using (w.Block())
        {
            w.Line("/// <summary>One line per vtable function (native/worker/include/npw_protocol.h, NPW_OP_CALL_CREATE).</summary>");
            w.Line("public const string Description =");
            for (int i = 0; i < lines.Count; i++)
                w.Line($"    \"{lines[i]}\\n\"{(i == lines.Count - 1 ? ";" : " +")}");
            w.Line();
            w.Line("/// <summary>The proxy the host uses for an isolated instance.</summary>");
            w.Line($"public static NativeProxy Value {{ get; }} = new({type}Contract.Value, Description,");
            w.Line("[");
            foreach (var f in itf.Functions)
                w.Line(f.Role == FunctionRole.Method
                    ? $"    (nint)(delegate* unmanaged[Cdecl]<{string.Join(", ", NativeTypes(f))}>)&{Forwarder(f)},"
                    : "    0,");
            w.Line("]);");
            for (int index = 0; index < itf.Functions.Count; index++)
            {
                var f = itf.Functions[index];
                if (f.Role != FunctionRole.Method) continue;
                w.Line();
                Forward(w, f, index);
            }
        }
    }

    private static void Forward(CodeWriter w, InterfaceFunction f, int index)
    {
        var shape = f.Wrapper!;
        var ps = f.Type.Parameters;
        var types = NativeTypes(f).ToList();
        var names = ps.Select((p, i) => i == 0 ? "self" : CSharpNames.Identifier(p.Name.Length > 0 ? p.Name : $"arg{i}")).ToList();
        w.Line("[UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]");
        w.Line($"private static {types[^1]} {Forwarder(f)}({string.Join(", ", ps.Select((_, i) => $"{types[i]} {names[i]}"))})");
        using (w.Block())
        {
            var stores = new List<string>();
            for (int i = 1; i < ps.Count; i++)
            {
                bool pair = shape.Inputs.FirstOrDefault(x => x.Index == i) is { Kind: InputKind.Text or InputKind.Bytes };
                if (pair)
                {
                    stores.Add($"(ulong){names[i]}.ptr");
                    stores.Add($"{names[i]}.len");
                }
                else stores.Add($"unchecked((ulong){names[i]})");
            }
            string slots = "null";
            if (stores.Count > 0)
            {
                w.Line($"ulong* argumentSlots = stackalloc ulong[{stores.Count}];");
                for (int s = 0; s < stores.Count; s++) w.Line($"argumentSlots[{s}] = {stores[s]};");
                slots = "argumentSlots";
            }
            string invoke = $"NativeProxy.Invoke(self, {index}, {slots})";
            w.Line(types[^1] == "void" ? invoke + ";" : $"return unchecked(({types[^1]}){invoke});");
        }
    }

    private static string Forwarder(InterfaceFunction f) => "Forward" + InterfaceIds.Pascal(f.Name);

    /// <summary>The parameter types and then the return type, exactly as the host wrapper's function pointer spells
    /// them (CSharpHostWrapperEmitter): the forwarder must have the signature the wrapper calls.</summary>
    private static IEnumerable<string> NativeTypes(InterfaceFunction f) =>
        f.Type.Parameters.Select((p, i) => CSharpHostWrapperEmitter.NativeParameter(f.Wrapper!, i, p))
            .Append(CSharpHostWrapperEmitter.NativeReturn(f.Type.Return, f.Wrapper!));
}
