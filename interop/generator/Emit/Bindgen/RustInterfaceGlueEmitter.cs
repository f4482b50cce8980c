// The Rust plugin side of `nplug bindgen` (interop/interfaces.md section 2): appended to rust/<module>.rs after the
// raw declarations, per @interface vtable a safe trait a plugin type implements, the extern "C" functions that
// turn an implementation into the vtable (through nplug-sdk's public boundary helpers: the same argument checks,
// panic containment, poisoning and SINGLE-overlap refusal as the np.transform/1 glue), and the marker type whose
// nplug_sdk::Interface impl export_plugins! takes.
//
// Functions without a typed wrapper (rule I6) are not left out: the trait gets an associated const RAW_<NAME> of
// the vtable field's type that the plugin fills by hand (required ones have no default, so a missing one does not
// compile); the documentation of the generated const says so.
using System.Text;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit.Bindgen;

public static class RustInterfaceGlueEmitter
{
    /// <summary>The glue of every interface of the contract, or "" when it has none.</summary>
    public static string Emit(ContractModel model)
    {
        if (model.Interfaces.Count == 0) return "";
        var w = new CodeWriter();
        // BindgenPlan puts one blank line between the raw declarations and this text; interfaces are separated by one.
        for (int i = 0; i < model.Interfaces.Count; i++)
        {
            if (i > 0) w.Line();
            EmitInterface(w, model.Interfaces[i]);
        }
        return w.ToString();
    }

    /// <summary>The trait of an interface: `acme_greeter_v1_t` is `AcmeGreeterV1`, the name the C# side uses too.</summary>
    public static string TraitName(InterfaceModel itf) => ContractNames.Pascal(itf);

    private const string Sdk = "::nplug_sdk";
    private const string Abi = "::nplug_sdk::abi";

    private static void EmitInterface(CodeWriter w, InterfaceModel itf)
    {
        string trait = TraitName(itf);
        string marker = trait + "Interface";
        string glue = trait + "Glue";
        string instance = trait + "Instance";
        string vtable = itf.VTable.Name;

        w.Line($"// ---- {itf.Id}: the Rust plugin side (nplug-sdk) {new string('-', Math.Max(4, 78 - itf.Id.Length))}");
        w.Line();
        EmitTrait(w, itf, trait, marker);
        w.Line();

        w.Line($"/// `{itf.Id}` for `nplug_sdk::export_plugins!`: list it after a plugin type that implements [`{trait}`],");
        w.Line($"/// `export_plugins!(MyPlugin: [{marker}])` (with `nplug_sdk::TransformInterface` and others as the plugin");
        w.Line("/// implements them).");
        w.Line($"pub struct {marker};");
        w.Line();
        if (itf.HasInstances)
        {
            w.Line($"/// What the instance pointer (`{itf.Instance!.Name} *`) of plugin `P` points to: the SDK's instance box, tagged");
            w.Line($"/// with [`{marker}`].");
            w.Line($"/// A function filled by hand (`RAW_*`) gets its plugin with `{instance}::<P>::get(instance)?.call(..)`.");
            w.Line("#[rustfmt::skip]");
            w.Line($"pub type {instance}<P> = {Sdk}::InstanceBox<P, {marker}>;");
            w.Line();
        }

        w.Line($"/// The `{vtable}` of a plugin type `P` implementing [`{trait}`], and its `extern \"C\"` functions.");
        w.Line($"pub struct {glue}<P>(::core::marker::PhantomData<P>);");
        w.Line();
        w.Line("#[rustfmt::skip]");
        using (w.Block($"impl<P: {trait}> {glue}<P> {{", "}"))
        {
            w.Line($"/// `P`'s vtable: every function this interface has at minor {itf.NewestMinor}; optional ones NULL unless `P` provides them.");
            using (w.Block($"pub const VTABLE: {vtable} = {vtable} {{", "};"))
            {
                w.Line($"struct_size: ::core::mem::size_of::<{vtable}>() as u32,");
                w.Line("reserved: 0,");
                foreach (var f in itf.Functions)
                {
                    string field = RustNames.Identifier(f.Name);
                    if (f.Role != FunctionRole.Method) w.Line($"{field}: Some(Self::{field}),");
                    else if (f.Wrapper is null) w.Line($"{field}: <P as {trait}>::RAW_{f.Name.ToUpperInvariant()},");
                    else if (f.Required) w.Line($"{field}: Some(Self::{field}),");
                    else w.Line($"{field}: if <P as {trait}>::HAS_{f.Name.ToUpperInvariant()} {{ Some(Self::{field}) }} else {{ None }},");
                }
            }
            foreach (var f in itf.Functions)
            {
                switch (f.Role)
                {
                    case FunctionRole.Create: EmitCreate(w, f, trait, instance); break;
                    case FunctionRole.Destroy: EmitDestroy(w, f, instance); break;
                    case FunctionRole.Method when f.Wrapper is not null: EmitMethod(w, itf, f, f.Wrapper, trait, instance); break;
                }
            }
        }
        w.Line();

        w.Line($"// SAFETY: {glue}::<P>::VTABLE is a static {vtable} filled with the SDK's glue; the layout is the one the raw");
        w.Line($"// declarations above computed for minor {itf.NewestMinor}, the minor the vtable implements (it is the full struct).");
        w.Line("#[rustfmt::skip]");
        using (w.Block($"unsafe impl<P: {trait}> {Sdk}::Interface<P> for {marker} {{", "}"))
        {
            w.Line($"const ID: &'static str = \"{itf.Id}\";");
            w.Line($"type VTable = {vtable};");
            w.Line($"const VTABLE: &'static {vtable} = &{glue}::<P>::VTABLE;");
            w.Line($"/// `{ContractNames.Fingerprint(itf)}` and this compiler's layout report of the interface's structs: the value");
            w.Line($"/// `{ContractNames.VTableBase(itf)}_interface_layout()` returns, read in a const so that descriptors stay static data.");
            w.Line($"const LAYOUT: {Abi}::np_interface_layout_t = {ContractNames.Macro(itf)}_INTERFACE_LAYOUT.0;");
        }
    }

    // ---- the trait ------------------------------------------------------------------------------------------

    private static void EmitTrait(CodeWriter w, InterfaceModel itf, string trait, string marker)
    {
        w.Lines(RustNames.Doc(itf.VTable.Doc));
        w.Line("///");
        w.Line($"/// `{itf.Id}` in safe Rust: implement it on a plugin type and list [`{marker}`] for the type in");
        w.Line("/// `nplug_sdk::export_plugins!`. The SDK does the ABI work around each method: NULL and UTF-8 checks of the");
        w.Line("/// arguments (a bad one is `NP_ERR_INVALID_ARGUMENT`, or the default value for a function without a status, and the");
        w.Line("/// method is not called), errors into `np_error_t`,");
        w.Line("/// panics caught (`NP_ERR_PANIC`, and the instance is poisoned: every later call but destroy fails), calls on an");
        w.Line("/// `NP_THREADING_SINGLE` instance never overlapping, `np_out_bytes_t` growth.");
        if (itf.Functions.Any(f => f.Role == FunctionRole.Method && f.Wrapper is null))
        {
            w.Line("///");
            w.Line("/// Functions the typed wrappers do not understand (rule I6) are filled by hand: set their `RAW_*` const.");
        }
        w.Line("#[rustfmt::skip]");
        using (w.Block($"pub trait {trait}: {Sdk}::Plugin {{", "}"))
        {
            bool first = true;
            foreach (var f in itf.Functions)
            {
                if (f.Role == FunctionRole.Destroy) continue; // dropping the plugin value is destroy
                if (!first) w.Line();
                first = false;
                if (f.Role == FunctionRole.Create)
                {
                    w.Lines(RustNames.Doc(f.Field.Doc));
                    w.Line("///");
                    w.Line("/// The config is UTF-8 (checked by the SDK); `host` is valid until the instance is dropped and may be kept.");
                    w.Line("/// Dropping the value is `destroy`.");
                    w.Line($"fn create(host: &{Sdk}::Host, config: &{Sdk}::Config<'_>) -> {Sdk}::Result<Self>;");
                }
                else if (f.Wrapper is null) EmitRawConst(w, f);
                else EmitTraitMethod(w, itf, f, f.Wrapper);
            }
        }
    }

    private static void EmitRawConst(CodeWriter w, InterfaceFunction f)
    {
        w.Lines(RustNames.Doc(f.Field.Doc));
        w.Line("///");
        w.Line($"/// No typed wrapper: {Escape(f.NoWrapperReason ?? "outside rule I6")}.");
        w.Line("///");
        w.Line("/// The plugin gives the `extern \"C\"` function itself, written with `nplug_sdk::boundary` (argument checks,");
        w.Line(f.Required
            ? "/// `guarded`, the instance box). Required: `None` makes a host refuse the plugin (a NULL required function)."
            : "/// `guarded`, the instance box). Optional: `None`, the default, is not provided.");
        string type = Type(f.Type);
        w.Line(f.Required ? $"const RAW_{f.Name.ToUpperInvariant()}: {type};" : $"const RAW_{f.Name.ToUpperInvariant()}: {type} = None;");
    }

    private static void EmitTraitMethod(CodeWriter w, InterfaceModel itf, InterfaceFunction f, WrapperShape shape)
    {
        string name = RustNames.Identifier(f.Name);
        if (!f.Required)
        {
            w.Line($"/// Whether the plugin provides `{f.Name}` (optional): when false, the default, the vtable's `{f.Name}` is NULL and a");
            w.Line($"/// host sees it as not provided. Set it to true where `{name}` is implemented.");
            w.Line($"const HAS_{f.Name.ToUpperInvariant()}: bool = false;");
            w.Line();
        }
        w.Lines(RustNames.Doc(f.Field.Doc));
        if (f.IsLeaf && shape.IsInstanceMethod)
        {
            w.Line("///");
            w.Line("/// `[leaf]`: must not block, allocate or call the host. The SDK does not run it while another call on the instance is");
            w.Line(shape.ReturnsStatus
                ? "/// running or once the instance is poisoned: the call is `NP_ERR_STATE` then (a leaf never waits for a lock)."
                : "/// running or once the instance is poisoned: the call returns the type's default then (a leaf never waits for a lock).");
        }
        string signature = $"fn {name}({string.Join(", ", TraitParameters(f, shape))}){TraitReturn(shape)}";
        if (f.Required)
        {
            w.Line(signature + ";");
            return;
        }
        using (w.Block(signature + " {", "}"))
        {
            foreach (var p in TraitArguments(f, shape, typed: false)) w.Line($"let _ = {p.Text};");
            if (shape.ReturnsStatus)
                w.Line($"Err({Sdk}::Error::unsupported(\"{itf.Id}: {f.Name} is not provided by this plugin\"))");
            else if (PlainResultType(shape) is not null) w.Line("Default::default()");
        }
    }

    private static IEnumerable<string> TraitParameters(InterfaceFunction f, WrapperShape shape)
    {
        if (shape.IsInstanceMethod) yield return f.IsLeaf ? "&self" : "&mut self";
        foreach (var (_, text) in TraitArguments(f, shape, typed: true)) yield return text;
    }

    /// <summary>The trait method's parameters after the receiver, in C order: inputs and an np_out_bytes_t result.</summary>
    private static IEnumerable<(int Index, string Text)> TraitArguments(InterfaceFunction f, WrapperShape shape, bool typed)
    {
        var items = new List<(int, string)>();
        foreach (var input in shape.Inputs)
        {
            string n = RustNames.Identifier(input.Name);
            string t = input.Kind switch
            {
                InputKind.Text => "&str",
                InputKind.Bytes => "&[u8]",
                _ => Type(input.Type),
            };
            items.Add((input.Index, typed ? $"{n}: {t}" : n));
        }
        if (shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText)
        {
            string n = ParameterNames(f.Type)[shape.Result.Index];
            items.Add((shape.Result.Index, typed ? $"{n}: &mut {Sdk}::OutBytes<'_>" : n));
        }
        return items.OrderBy(i => i.Item1);
    }

    private static string TraitReturn(WrapperShape shape)
    {
        if (shape.ReturnsStatus)
            return $" -> {Sdk}::Result<{(shape.Result.Kind == ResultKind.OutInteger ? Type(shape.Result.Type!) : "()")}>";
        return PlainResultType(shape) is { } t ? $" -> {t}" : "";
    }

    /// <summary>What a function without a status returns from the trait: its own integer, or the out_* integer.</summary>
    private static string? PlainResultType(WrapperShape shape) => shape.Result.Kind switch
    {
        ResultKind.ReturnValue or ResultKind.OutInteger => Type(shape.Result.Type!),
        _ => null,
    };

    // ---- the extern "C" functions ---------------------------------------------------------------------------

    private static void EmitCreate(CodeWriter w, InterfaceFunction f, string trait, string instance)
    {
        var n = ParameterNames(f.Type);
        w.Line();
        using (w.Block($"unsafe extern \"C\" fn {RustNames.Identifier(f.Name)}({Parameters(f.Type, n)}){Return(f.Type)} {{", "}"))
        using (w.Block("unsafe {", "}"))
        using (w.Block($"{Sdk}::boundary::guarded(\"{f.Name}\", <P as {Sdk}::Plugin>::INFO.id, {n[3]}, || {{", "})"))
        {
            w.Line($"{instance}::<P>::create(\"{f.Name}\", {n[0]}, {n[1]}, {n[2]}, (), <P as {trait}>::create)");
        }
    }

    private static void EmitDestroy(CodeWriter w, InterfaceFunction f, string instance)
    {
        var n = ParameterNames(f.Type);
        w.Line();
        using (w.Block($"unsafe extern \"C\" fn {RustNames.Identifier(f.Name)}({Parameters(f.Type, n)}) {{", "}"))
            w.Line($"unsafe {{ {instance}::<P>::destroy({n[0]}) }}");
    }

    private static void EmitMethod(CodeWriter w, InterfaceModel itf, InterfaceFunction f, WrapperShape shape, string trait, string instance)
    {
        var n = ParameterNames(f.Type);
        string fn = RustNames.Identifier(f.Name);
        w.Line();
        if (f.IsLeaf) w.Line("/// `[leaf]`: no lock is waited for, nothing is allocated on success, the host is not called.");
        using (w.Block($"unsafe extern \"C\" fn {fn}({Parameters(f.Type, n)}){Return(f.Type)} {{", "}"))
        {
            if (shape.ReturnsStatus) EmitStatusBody(w, itf, f, shape, trait, instance, n);
            else EmitPlainBody(w, f, shape, trait, instance, n);
        }
    }

    /// <summary>The arguments of the trait call, in its parameter order, as the locals the checks bound.</summary>
    private static string CallArguments(InterfaceFunction f, WrapperShape shape, string receiver)
    {
        var args = new List<string>();
        if (receiver.Length > 0) args.Add(receiver);
        foreach (var (index, name) in TraitArguments(f, shape, typed: false))
            args.Add(shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText && index == shape.Result.Index ? "&mut " + name : name);
        return string.Join(", ", args);
    }

    /// <summary>The checks that bind each argument to a local named like the C parameter (shadowing the raw value); a
    /// failure is an Err in a status body (`?`), and returns the default value without calling the plugin otherwise.</summary>
    private static void EmitArgumentChecks(CodeWriter w, WrapperShape shape, IReadOnlyList<string> n, bool status)
    {
        string Bind(string pattern, string expr) => status ? $"let {pattern} = {expr}?;" : $"let Ok({pattern}) = {expr} else {{ return Default::default() }};";
        foreach (var input in shape.Inputs)
        {
            string local = RustNames.Identifier(input.Name);
            string c = n[input.Index];
            switch (input.Kind)
            {
                case InputKind.Text: w.Line(Bind(local, $"{Sdk}::boundary::text_arg(\"{input.Name}\", {c})")); break;
                case InputKind.Bytes: w.Line(Bind(local, $"{Sdk}::boundary::bytes_arg(\"{input.Name}\", {c})")); break;
                default: if (local != c) w.Line($"let {local} = {c};"); break;
            }
        }
        switch (shape.Result.Kind)
        {
            case ResultKind.OutBytes or ResultKind.OutText:
                w.Line(Bind("mut " + n[shape.Result.Index], $"{Sdk}::OutBytes::from_raw({n[shape.Result.Index]})"));
                break;
            case ResultKind.OutInteger:
                string name = n[shape.Result.Index];
                w.Line(Bind(name, $"{Sdk}::boundary::out_arg(\"{name}\", {name})"));
                break;
        }
    }

    private static void EmitStatusBody(CodeWriter w, InterfaceModel itf, InterfaceFunction f, WrapperShape shape, string trait, string instance,
        IReadOnlyList<string> n)
    {
        string error = shape.ErrorIndex >= 0 ? n[shape.ErrorIndex] : "::core::ptr::null_mut()";
        using (w.Block("unsafe {", "}"))
        using (w.Block($"{Sdk}::boundary::guarded(\"{f.Name}\", <P as {Sdk}::Plugin>::INFO.id, {error}, || {{", "})"))
        {
            if (shape.IsInstanceMethod) w.Line($"let instance = {instance}::<P>::get({n[0]})?;");
            EmitArgumentChecks(w, shape, n, status: true);
            string call = $"<P as {trait}>::{RustNames.Identifier(f.Name)}({CallArguments(f, shape, shape.IsInstanceMethod ? "plugin" : "")})";
            // A [leaf] never waits for the lock; its refusal carries static text (no allocation).
            string run = (shape.IsInstanceMethod, f.IsLeaf) switch
            {
                (false, _) => $"{Sdk}::boundary::call_plugin(<P as {Sdk}::Plugin>::INFO.id, \"{f.Name}\", || {call})",
                (true, true) => $"instance.call_leaf(|plugin| {call}).unwrap_or_else(|| Err({Sdk}::Error::state(" +
                                $"\"{itf.Id}: {f.Name} did not run: the instance is poisoned or another call on it is running\")))",
                (true, false) => $"instance.call(\"{f.Name}\", |plugin| {call})",
            };
            switch (shape.Result.Kind)
            {
                case ResultKind.OutBytes or ResultKind.OutText:
                    w.Line($"let result = {run};");
                    w.Line($"{n[shape.Result.Index]}.finish(result)");
                    break;
                case ResultKind.OutInteger:
                    w.Line($"*{n[shape.Result.Index]} = {run}?;");
                    w.Line("Ok(())");
                    break;
                default: w.Line(run); break;
            }
        }
    }

    private static void EmitPlainBody(CodeWriter w, InterfaceFunction f, WrapperShape shape, string trait, string instance, IReadOnlyList<string> n)
    {
        // Only pointers need unsafe: a function of integers alone (`uint32_t revision(void)`) has none to check.
        bool pointers = shape.IsInstanceMethod || shape.Inputs.Any(i => i.Kind != InputKind.Integer) ||
                        shape.Result.Kind is ResultKind.OutBytes or ResultKind.OutText or ResultKind.OutInteger;
        using (pointers ? w.Block("unsafe {", "}") : null)
        {
            if (shape.IsInstanceMethod)
                w.Line($"let Some(instance) = {instance}::<P>::lookup({n[0]}) else {{ return Default::default() }};");
            EmitArgumentChecks(w, shape, n, status: false);
            string call = $"<P as {trait}>::{RustNames.Identifier(f.Name)}({CallArguments(f, shape, shape.IsInstanceMethod ? "plugin" : "")})";
            string run = (shape.IsInstanceMethod, f.IsLeaf) switch
            {
                (true, true) => $"instance.call_leaf(|plugin| {call})",
                (true, false) => $"instance.call_infallible(\"{f.Name}\", |plugin| {call})",
                (false, true) => $"{Sdk}::boundary::catch_leaf(|| {call}).ok()",
                (false, false) => $"{Sdk}::boundary::catch(|| {call}).ok()",
            };
            if (shape.Result.Kind == ResultKind.OutInteger)
            {
                w.Line($"if let Some(value) = {run} {{");
                w.Line($"    *{n[shape.Result.Index]} = value;");
                w.Line("}");
            }
            else w.Line($"{run}.unwrap_or_default()");
        }
    }

    // ---- spelling -------------------------------------------------------------------------------------------

    /// <summary>The C parameter names as Rust identifiers; an unnamed one is `argN`, as in the raw declarations.</summary>
    private static IReadOnlyList<string> ParameterNames(FunctionPointerType f) =>
        f.Parameters.Select((p, i) => p.Name.Length > 0 ? RustNames.Identifier(p.Name) : $"arg{i}").ToList();

    private static string Parameters(FunctionPointerType f, IReadOnlyList<string> names) =>
        string.Join(", ", f.Parameters.Select((p, i) => $"{names[i]}: {Type(p.Type)}"));

    private static string Return(FunctionPointerType f) => f.Return is PrimitiveType { Name: "void" } ? "" : " -> " + Type(f.Return);

    /// <summary>As <see cref="RustNames.Type"/>, with the ABI's own types spelled through nplug_sdk::abi, so that the glue
    /// does not depend on what the raw declarations import.</summary>
    private static string Type(AbiType type) => type switch
    {
        AliasType a when IsAbi(a.Name) => $"{Abi}::{a.Name}",
        StructType s when IsAbi(s.Name) => $"{Abi}::{s.Name}",
        PointerType p => (p.PointeeConst ? "*const " : "*mut ") + Type(p.Pointee),
        FunctionPointerType f => $"Option<unsafe extern \"C\" fn({string.Join(", ", f.Parameters.Select((p, i) => $"{(p.Name.Length > 0 ? RustNames.Identifier(p.Name) : $"arg{i}")}: {Type(p.Type)}"))}){Return(f)}>",
        ArrayType a => $"[{Type(a.Element)}; {a.Length}]",
        _ => RustNames.Type(type),
    };

    private static bool IsAbi(string name) => name.StartsWith("np_", StringComparison.Ordinal);

    private static string Escape(string text) =>
        new StringBuilder(text.Length).AppendJoin("", text.Select(c => c is '[' or ']' or '<' or '>' or '*' or '\\' ? "\\" + c : c.ToString())).ToString();
}
