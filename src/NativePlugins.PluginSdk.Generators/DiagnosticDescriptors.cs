using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NativePlugins.PluginSdk.Generators;

/// <summary>Every diagnostic the generator reports; ids are NPLUG0xx, each names the rule (interop/README.md) it protects.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NativePlugins";

    public static readonly DiagnosticDescriptor NoInterface = new(
        "NPLUG001", "Plugin class offers no interface",
        "'{0}' has [NativePlugin] but neither derives from NativePlugins.PluginSdk.TransformPlugin nor implements an interface with [NativeInterface]{1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotInstantiable = new(
        "NPLUG002", "Plugin class cannot be instantiated by the generated exports",
        "'{0}' cannot be exported: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidId = new(
        "NPLUG003", "Plugin id is not a valid reverse-DNS id",
        "Plugin id '{0}' of '{1}' is invalid: {2} (rule P2: ^[a-z0-9]+(\\.[a-z0-9_-]+)+$, at most 128 bytes)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateId = new(
        "NPLUG004", "Plugin id is used twice",
        "Plugin id '{0}' is used by both '{1}' and '{2}'; ids must be unique (rule P2)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoUsableConstructor = new(
        "NPLUG005", "Plugin class has no usable constructor",
        "'{0}' needs a public or internal constructor whose parameters are PluginConfig and/or PluginHost: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidVersion = new(
        "NPLUG006", "Plugin version is not a semantic version",
        "Version '{0}' of '{1}' is not a semantic version such as 1.2.0 (rule P2)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidMetadata = new(
        "NPLUG007", "Plugin metadata is invalid",
        "'{0}': {1} (rule P2)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoPlugins = new(
        "NPLUG008", "Plugin project exports no plugin",
        "This plugin project (NplugPluginMode={0}) has no class with [NativePlugin]; its library will export an empty bundle",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidNativeInterface = new(
        "NPLUG009", "[NativeInterface] interface cannot be exported",
        "'{0}' implements '{1}', whose [NativeInterface] is unusable: {2} (interop/interfaces.md; regenerate it with nplug bindgen)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateInterfaceId = new(
        "NPLUG010", "Plugin class offers one interface id twice",
        "'{0}' offers interface '{1}' twice (through '{2}' and '{3}'); interface ids are unique within a plugin (rule P2)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new[]
    {
        NoInterface, NotInstantiable, InvalidId, DuplicateId, NoUsableConstructor, InvalidVersion,
        InvalidMetadata, NoPlugins, InvalidNativeInterface, DuplicateInterfaceId,
    }.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];
}
