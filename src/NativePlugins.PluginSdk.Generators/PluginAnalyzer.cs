using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Generators;

/// <summary>Turns one class carrying [NativePlugin] into a <see cref="PluginModel"/>, or into diagnostics saying why not.</summary>
internal static class PluginAnalyzer
{
    public const string AttributeName = "NativePlugins.PluginSdk.NativePluginAttribute";
    private const string BaseTypeName = "NativePlugins.PluginSdk.TransformPlugin";
    private const string StatefulTypeName = "NativePlugins.PluginSdk.IStatefulTransform";
    private const string ConfigTypeName = "global::NativePlugins.PluginSdk.PluginConfig";
    private const string HostTypeName = "global::NativePlugins.PluginSdk.PluginHost";
    private const int MaxIdBytes = NpDescriptorSyntax.MaxIdBytes;

    public static PluginAnalysis Analyze(INamedTypeSymbol type, AttributeData attribute)
    {
        var diagnostics = new List<DiagnosticInfo>();
        Location? location = type.Locations.FirstOrDefault();
        string display = type.ToDisplayString();

        bool isTransform = DerivesFrom(type, BaseTypeName);
        EquatableArray<NativeInterfaceModel> interfaces = NativeInterfaces(type, location, display, diagnostics, out string missing);
        if (!isTransform && interfaces.Length == 0 && !diagnostics.Any(d => d.DescriptorId == DiagnosticDescriptors.InvalidNativeInterface.Id))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoInterface, location, display, missing));

        string? notInstantiable = WhyNotInstantiable(type);
        if (notInstantiable is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotInstantiable, location, display, notInstantiable));

        string id = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
        string? idProblem = WhyInvalidId(id);
        if (idProblem is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidId, location, id, display, idProblem));

        string name = type.Name;
        string version = "1.0.0", description = "", vendor = "";
        uint threading = 0;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            switch (named.Key)
            {
                case "Name":
                    name = named.Value.Value as string ?? "";
                    if (name.Trim().Length == 0)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMetadata, location, display, "Name must not be empty"));
                    break;
                case "Version":
                    version = named.Value.Value as string ?? "";
                    break;
                case "Description":
                    description = named.Value.Value as string ?? "";
                    break;
                case "Vendor":
                    vendor = named.Value.Value as string ?? "";
                    break;
                case "Threading":
                    int value = named.Value.Value is int i ? i : -1;
                    if (value is not (0 or 1))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMetadata, location, display,
                            $"Threading value {value} is not a known threading model (Single or ThreadSafe)"));
                    threading = (uint)value;
                    break;
            }
        }
        if (!NpDescriptorSyntax.IsSemanticVersion(version))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVersion, location, version, display));

        EquatableArray<string>? arguments = null;
        if (notInstantiable is null)
        {
            arguments = ChooseConstructor(type, out string? constructorProblem);
            if (arguments is null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoUsableConstructor, location, display, constructorProblem!));
        }

        PluginModel? model = diagnostics.Count == 0
            ? new PluginModel(
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), display, id, name, version, description,
                vendor, threading, arguments!.Value, LocationInfo.From(location), HasConfigSchema(type), isTransform, interfaces,
                isTransform && type.AllInterfaces.Any(i => i.ToDisplayString() == StatefulTypeName))
            : null;
        return new PluginAnalysis(model, EquatableArray.From(diagnostics));
    }

    /// <summary>A static property or field named ConfigSchema of type NativePlugins.PluginSdk.ConfigSchema, readable by
    /// the generated code (interop/README.md, "Config strings": the SDK checks the whole config before construction).</summary>
    private static bool HasConfigSchema(INamedTypeSymbol type) =>
        type.GetMembers("ConfigSchema").Any(m => m.IsStatic && m.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal
            && (m is IPropertySymbol { GetMethod: not null } p ? p.Type : (m as IFieldSymbol)?.Type)?.ToDisplayString() == SchemaTypeName);

    private const string SchemaTypeName = "NativePlugins.PluginSdk.ConfigSchema";

    /// <summary>
    /// The [NativeInterface] interfaces <paramref name="type"/> implements (directly or through another interface), in
    /// the order C# lists them, each checked: a valid interface id other than np.transform/1 (that one is offered by
    /// deriving from TransformPlugin), a non-generic interface, an exports type with the two static members the
    /// generated code calls (<c>BuildVTable</c>, <c>Layout</c>), and no id twice. <paramref name="missing"/> names the
    /// interfaces without the attribute, for NPLUG001's message (a forgotten Greeter.Plugin.g.cs, a hand-written
    /// interface).
    /// </summary>
    private static EquatableArray<NativeInterfaceModel> NativeInterfaces(INamedTypeSymbol type, Location? location,
        string display, List<DiagnosticInfo> diagnostics, out string missing)
    {
        var found = new List<NativeInterfaceModel>();
        var without = new List<string>();
        foreach (INamedTypeSymbol iface in type.AllInterfaces)
        {
            AttributeData? attribute = iface.GetAttributes()
                .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == InterfaceAttributeName);
            string name = iface.ToDisplayString();
            if (attribute is null)
            {
                if (iface.ContainingNamespace?.ToDisplayString() is not { } ns || (ns != "System" && !ns.StartsWith("System.", System.StringComparison.Ordinal)))
                    without.Add(name);
                continue;
            }
            string id = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
            var exports = attribute.ConstructorArguments.Length > 1 ? attribute.ConstructorArguments[1].Value as INamedTypeSymbol : null;
            string? problem = WhyUnusable(iface, id, exports);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidNativeInterface, location, display, name, problem));
                continue;
            }
            NativeInterfaceModel? same = found.FirstOrDefault(f => f.Id == id);
            if (same is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateInterfaceId, location, display, id,
                    same.InterfaceTypeName.Replace("global::", ""), name));
                continue;
            }
            found.Add(new NativeInterfaceModel(id, iface.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                exports!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), CreateParameters(exports!)!.Value));
        }
        missing = without.Count == 0 ? ""
            : $" ({string.Join(", ", without.Select(w => $"'{w}'"))} {(without.Count == 1 ? "has" : "have")} no [NativeInterface]: compile the bindgen-generated *.Plugin.g.cs and implement its interface)";
        return EquatableArray.From(found);
    }

    private static string? WhyUnusable(INamedTypeSymbol iface, string id, INamedTypeSymbol? exports)
    {
        if (!NpDescriptorSyntax.IsInterfaceId(id))
            return $"'{id}' is not an interface id (ns.name/revision)";
        if (id == TransformId)
            return $"{TransformId} is offered by deriving from TransformPlugin";
        if (iface.IsGenericType)
            return "the interface is generic";
        if (exports is null || exports.TypeKind == TypeKind.Error)
            return "its exports type is missing";
        if (CreateParameters(exports) is null)
            return $"'{exports.ToDisplayString()}' has no static BuildVTable(create) method taking the create function (host, config, out_instance, error) -> int";
        bool hasLayout = exports.GetMembers("Layout").OfType<IPropertySymbol>()
            .Any(p => p.IsStatic && p.GetMethod is not null && IsReachable(p) && p.Type.ToDisplayString() == "NativePlugins.Interop.np_interface_layout_t");
        if (!hasLayout)
            return $"'{exports.ToDisplayString()}' has no static np_interface_layout_t Layout property";
        return null;
    }

    /// <summary>The parameter types of the create function the exports' BuildVTable takes, or null when it has none
    /// of the shape rule I5 gives create.</summary>
    private static EquatableArray<string>? CreateParameters(INamedTypeSymbol exports)
    {
        foreach (IMethodSymbol method in exports.GetMembers("BuildVTable").OfType<IMethodSymbol>())
        {
            if (!method.IsStatic || !IsReachable(method) || method.Parameters.Length != 1
                || method.Parameters[0].Type is not IFunctionPointerTypeSymbol pointer)
                continue;
            IMethodSymbol signature = pointer.Signature;
            if (signature.Parameters.Length != 4 || signature.ReturnType.SpecialType != SpecialType.System_Int32
                || signature.CallingConvention is not (System.Reflection.Metadata.SignatureCallingConvention.CDecl
                    or System.Reflection.Metadata.SignatureCallingConvention.Unmanaged))
                continue;
            return EquatableArray.From(signature.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
        }
        return null;
    }

    private static bool IsReachable(ISymbol member) =>
        member.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    private const string InterfaceAttributeName = "NativePlugins.PluginSdk.NativeInterfaceAttribute";
    private const string TransformId = "np.transform/1";

    private static bool DerivesFrom(INamedTypeSymbol type, string baseName)
    {
        for (INamedTypeSymbol? current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == baseName)
                return true;
        }
        return false;
    }

    private static string? WhyNotInstantiable(INamedTypeSymbol type)
    {
        if (type.IsAbstract)
            return type.IsStatic ? "it is static" : "it is abstract";
        if (type.IsGenericType)
            return "it is generic";
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (!SymbolEqualityComparer.Default.Equals(current, type) && current.IsGenericType)
                return $"it is nested in the generic type '{current.ToDisplayString()}'";
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                return $"'{current.ToDisplayString()}' is {current.DeclaredAccessibility.ToString().ToLowerInvariant()}; it must be public or internal";
        }
        return null;
    }

    private static string? WhyInvalidId(string id)
    {
        if (id.Length == 0)
            return "it is empty";
        if (Encoding.UTF8.GetByteCount(id) > MaxIdBytes)
            return $"it is {Encoding.UTF8.GetByteCount(id)} bytes long";
        if (!NpDescriptorSyntax.IsPluginId(id))
            return "it is not lowercase reverse-DNS";
        return null;
    }

    /// <summary>
    /// The constructor the generated factory calls: accessible, every parameter a PluginConfig or a PluginHost (each
    /// at most once). The one with the most parameters wins; two equally long candidates are ambiguous.
    /// </summary>
    private static EquatableArray<string>? ChooseConstructor(INamedTypeSymbol type, out string? problem)
    {
        problem = null;
        var candidates = new List<string[]>();
        var rejected = new List<string>();
        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            if (constructor.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                rejected.Add($"{constructor.ToDisplayString()} is not accessible");
                continue;
            }
            var arguments = new List<string>();
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                string typeName = parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                string? argument = parameter.RefKind != RefKind.None ? null
                    : typeName == ConfigTypeName ? "config"
                    : typeName == HostTypeName ? "host"
                    : null;
                if (argument is null || arguments.Contains(argument))
                {
                    arguments = null;
                    rejected.Add($"{constructor.ToDisplayString()} takes '{parameter.Type.ToDisplayString()} {parameter.Name}'");
                    break;
                }
                arguments.Add(argument);
            }
            if (arguments is not null)
                candidates.Add(arguments.ToArray());
        }
        if (candidates.Count == 0)
        {
            problem = rejected.Count == 0 ? "it has no constructor" : string.Join("; ", rejected);
            return null;
        }
        int longest = candidates.Max(c => c.Length);
        if (candidates.Count(c => c.Length == longest) > 1)
        {
            problem = $"two constructors take {longest} parameter(s); keep one";
            return null;
        }
        return EquatableArray.From(candidates.First(c => c.Length == longest));
    }
}
