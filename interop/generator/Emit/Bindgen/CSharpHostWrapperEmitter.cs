// csharp/<StemPascal>.Host.g.cs of `nplug bindgen` (interop/interfaces.md section 2): per interface with instances,
// the typed .NET host wrapper, a sealed NativeInstance (src/NativePlugins.Host) with one method per function that
// has a WrapperShape (rule I6). Every call reads its function pointer from the host's validated vtable copy by the
// field offset the model gives, enters the instance's call gate, calls, leaves, and turns the status into an
// exception: no reflection, no delegates, no marshalling stubs. The contract (<VTablePascal>Contract.Value) and the
// structs come from <StemPascal>.g.cs, which the C# bindings emitter writes.
using NativePlugins.Generator.Bindgen;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class CSharpHostWrapperEmitter
{
    /// <summary>Members of NativeInstance and object a wrapper method must not hide: a function with such a name
    /// gets the suffix <c>Call</c> (<c>Dispose</c> -> <c>DisposeCall</c>).</summary>
    private static readonly HashSet<string> Reserved =
    [
        "Plugin", "Library", "Config", "Interface", "Allocations", "IsPoisoned", "IsDisposed", "Dispose", "Contract",
        "Create", "ToString", "Equals", "GetHashCode", "GetType", "Finalize", "MemberwiseClone", "InstancePointer",
        "VTablePointer", "Function", "EnterCall", "ExitCall", "InitError", "Check", "CheckOutput", "InitOutput",
        "OutputBytes", "OutputText", "ReleaseOutput", "Utf8", "Str", "Bytes", "Missing", "ErrorCapacity",
        "OutputInlineCapacity", "HostTable", "IsIsolated", "RestartCount", "Isolated",
    ];

    public static IEnumerable<(string Path, string Text)> Emit(ContractModel model)
    {
        var withInstances = model.Interfaces.Where(i => i.HasInstances).ToList();
        if (withInstances.Count == 0) yield break;
        var w = new CodeWriter();
        BindgenBanner.Slashes(w, model);
        w.Line("#nullable enable");
        w.Line();
        w.Line("using NativePlugins.Hosting;");
        w.Line("using NativePlugins.Interop;");
        w.Line();
        w.Line($"namespace {model.CSharpNamespace};");
        foreach (var itf in withInstances)
        {
            w.Line();
            Wrapper(w, itf);
        }
        yield return ($"csharp/{ContractNames.StemPascal(model)}.Host.g.cs", w.ToString());
    }

    private static void Wrapper(CodeWriter w, InterfaceModel itf)
    {
        string type = ContractNames.Pascal(itf);
        w.Lines(Doc([
            $"An instance of a plugin through {itf.Id}, made with <c>library.Create&lt;{type}&gt;(pluginId, config)</c>",
            "once the host registered <see cref=\"Contract\"/> in <c>PluginHostOptions.Interfaces</c>.",
            .. DocText.Lines(itf.VTable.Doc).Select(Xml),
        ]));
        w.Line($"public sealed unsafe partial class {type} : NativeInstance, INativeInstance<{type}>");
        using (w.Block())
        {
            w.Line($"private {type}(NativeInstanceState state) : base(state)");
            w.Line("{");
            w.Line("}");
            w.Line();
            w.Lines(Doc([$"The contract of {itf.Id} (from the header's generated C# bindings)."]));
            w.Line($"public static NativeInterfaceContract Contract => {type}Contract.Value;");
            w.Line();
            w.Line($"static {type} INativeInstance<{type}>.Create(NativeInstanceState state) => new(state);");
            foreach (var f in itf.Functions.Where(f => f.Role == FunctionRole.Method && f.Wrapper is not null))
            {
                w.Line();
                if (!f.Required)
                {
                    w.Lines(Doc([$"True when the plugin provides <c>{f.Name}</c> (optional: NULL, or beyond its vtable's struct_size)."]));
                    w.Line($"public bool Has{MethodName(f)} => Function({f.Field.Offset}) != 0;");
                    w.Line();
                }
                Method(w, itf, f);
            }
        }
    }

    private static void Method(CodeWriter w, InterfaceModel itf, InterfaceFunction f)
    {
        var shape = f.Wrapper!;
        var ps = f.Type.Parameters;
        string name = MethodName(f);
        var docLines = DocText.Lines(f.Field.Doc).Select(Xml).ToList();
        if (!f.Required) docLines.Add($"Optional: throws <see cref=\"System.NotSupportedException\"/> when <see cref=\"Has{name}\"/> is false.");
        if (shape.ReturnsStatus) docLines.Add("A failing status raises <see cref=\"PluginCallException\"/> with the plugin's message.");
        w.Lines(Doc(docLines));

        string returnType = shape.Result.Kind switch
        {
            ResultKind.None => "void",
            ResultKind.ReturnValue or ResultKind.OutInteger => CSharpNames.Type(shape.Result.Type!),
            ResultKind.OutBytes => "byte[]",
            ResultKind.OutText => "string",
            _ => throw new GeneratorException($"{itf.Id}: {f.Name}: no C# result for {shape.Result.Kind}"),
        };
        var args = shape.Inputs.Select(i => $"{InputType(i)} {Local(i.Name)}");
        w.Line($"public {returnType} {name}({string.Join(", ", args)})");
        using (w.Block())
        {
            string convention = f.IsLeaf ? "unmanaged[Cdecl, SuppressGCTransition]" : "unmanaged[Cdecl]";
            var nativeTypes = ps.Select((p, i) => NativeParameter(shape, i, p)).Append(NativeReturn(f.Type.Return, shape)).ToList();
            w.Line($"var fn = (delegate* {convention}<{string.Join(", ", nativeTypes)}>)Function({f.Field.Offset});");
            if (!f.Required) w.Line($"if (fn == null) throw Missing(\"{f.Name}\");");

            foreach (var i in shape.Inputs.Where(i => i.Kind == InputKind.Text))
                w.Line($"byte[] {Local(i.Name)}Utf8 = Utf8({Local(i.Name)});");
            bool hasError = shape.ErrorIndex >= 0;
            if (hasError)
            {
                w.Line("byte* errorBuffer = stackalloc byte[ErrorCapacity];");
                w.Line("np_error_t error;");
                w.Line("InitError(&error, errorBuffer);");
            }
            bool outBytes = shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText;
            if (outBytes)
            {
                w.Line("byte* outputInline = stackalloc byte[OutputInlineCapacity];");
                w.Line("np_out_bytes_t output;");
                w.Line("InitOutput(&output, outputInline);");
            }
            if (shape.Result.Kind == ResultKind.OutInteger)
                w.Line($"{CSharpNames.Type(shape.Result.Type!)} result = 0;");
            if (shape.Result.Kind == ResultKind.ReturnValue)
                w.Line($"{CSharpNames.Type(shape.Result.Type!)} result;");
            if (shape.ReturnsStatus) w.Line("int status;");

            // Pin the text and byte arguments for the call; the gate is entered only once nothing can throw.
            var pinned = shape.Inputs.Where(i => i.Kind is InputKind.Text or InputKind.Bytes).ToList();
            foreach (var i in pinned)
                w.Line($"fixed (byte* {Local(i.Name)}Ptr = {Local(i.Name)}{(i.Kind == InputKind.Text ? "Utf8" : "")})");
            using (w.Block())
            {
                w.Line($"var call = EnterCall(\"{f.Name}\");");
                var callArgs = string.Join(", ", ps.Select((p, i) => CallArgument(shape, i, p)));
                string assign = shape.ReturnsStatus ? "status = " : shape.Result.Kind == ResultKind.ReturnValue ? "result = " : "";
                // An isolated instance's vtable holds managed forwarders (Proxy.g.cs), which must not be called
                // without the GC transition: a leaf call goes through CallIsolated then, a method of its own so that
                // the in-process path keeps its frame free of the transition's set-up.
                w.Line(f.IsLeaf ? $"if (IsIsolated) {assign}CallIsolated(fn, {callArgs});" : $"{assign}fn({callArgs});");
                if (f.IsLeaf) w.Line($"else {assign}fn({callArgs});");
                w.Line("ExitCall(call);");
            }

            if (f.IsLeaf) EmitCallIsolated(w, ps.Count, convention, nativeTypes);

            string status = shape.ReturnsStatus ? "status" : "0";
            if (outBytes)
            {
                w.Line("try");
                using (w.Block())
                {
                    w.Line(hasError
                        ? $"CheckOutput({status}, \"{f.Name}\", &error, errorBuffer, &output, outputInline);"
                        : $"CheckOutput({status}, \"{f.Name}\", null, null, &output, outputInline);");
                    w.Line(shape.Result.Kind == ResultKind.OutText ? "return OutputText(&output);" : "return OutputBytes(&output);");
                }
                w.Line("finally");
                using (w.Block()) w.Line("ReleaseOutput(&output);");
                return;
            }
            if (shape.ReturnsStatus)
                w.Line(hasError ? $"Check(status, \"{f.Name}\", &error, errorBuffer);" : $"Check(status, \"{f.Name}\");");
            if (shape.Result.Kind is ResultKind.OutInteger or ResultKind.ReturnValue) w.Line("return result;");
        }
    }

    /// <summary>The local function a leaf method calls an isolated instance's forwarder through (with the GC
    /// transition, and not inlined, so the caller's in-process path stays as it was).</summary>
    private static void EmitCallIsolated(CodeWriter w, int count, string convention, IReadOnlyList<string> nativeTypes)
    {
        var ps = Enumerable.Range(0, count).Select(i => $"{nativeTypes[i]} a{i}");
        w.Line();
        w.Line("[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        w.Line($"static {nativeTypes[^1]} CallIsolated(delegate* {convention}<{string.Join(", ", nativeTypes)}> f, {string.Join(", ", ps)}) =>");
        w.Line($"    ((delegate* unmanaged[Cdecl]<{string.Join(", ", nativeTypes)}>)f)({string.Join(", ", Enumerable.Range(0, count).Select(i => $"a{i}"))});");
    }

    private static string InputType(WrapperInput i) => i.Kind switch
    {
        InputKind.Integer => CSharpNames.Type(i.Type),
        InputKind.Text => "string",
        InputKind.Bytes => "System.ReadOnlySpan<byte>",
        _ => throw new GeneratorException($"no C# input type for {i.Kind}"),
    };

    /// <summary>The C# type of parameter <paramref name="index"/> in the function pointer type: the instance as
    /// void* (the host keeps it untyped), everything else as the C# bindings spell it (rule I6 leaves only
    /// integers, np_str_t, np_bytes_t, integer pointers, np_out_bytes_t * and np_error_t *).</summary>
    internal static string NativeParameter(WrapperShape shape, int index, AbiParameter p) =>
        index == 0 && shape.IsInstanceMethod ? "void*" : NativeType(p.Type);

    internal static string NativeReturn(AbiType type, WrapperShape shape) => shape.ReturnsStatus ? "int" : NativeType(type);

    private static string NativeType(AbiType type) => type switch
    {
        PointerType { Pointee: StructType s } => s.Name + "*",
        _ => CSharpNames.Type(type),
    };

    private static string CallArgument(WrapperShape shape, int index, AbiParameter p)
    {
        if (index == 0 && shape.IsInstanceMethod) return "InstancePointer";
        if (index == shape.ErrorIndex) return "&error";
        if (shape.Result.Index == index)
            return shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText ? "&output" : "&result";
        var input = shape.Inputs.First(i => i.Index == index);
        string local = Local(input.Name);
        return input.Kind switch
        {
            InputKind.Integer => local,
            InputKind.Text => $"Str({local}Ptr, {local}Utf8.Length)",
            InputKind.Bytes => $"Bytes({local}Ptr, {local}.Length)",
            _ => throw new GeneratorException($"no argument for {input.Kind}"),
        };
    }

    private static string MethodName(InterfaceFunction f)
    {
        string name = Pascal(f.Name);
        return Reserved.Contains(name) ? name + "Call" : name;
    }

    /// <summary><c>out_sum</c> -> <c>outSum</c>, escaped when it is a keyword.</summary>
    private static string Local(string cName)
    {
        string pascal = Pascal(cName);
        return CSharpNames.Identifier(char.ToLowerInvariant(pascal[0]) + pascal[1..]);
    }

    private static string Pascal(string name) => InterfaceIds.Pascal(name);

    private static IEnumerable<string> Doc(IReadOnlyList<string> lines)
    {
        if (lines.Count == 0) yield break;
        yield return "/// <summary>";
        foreach (var l in lines) yield return l.Length == 0 ? "///" : "/// " + l;
        yield return "/// </summary>";
    }

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
