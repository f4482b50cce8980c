using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NativePlugins.PluginSdk.Generators;

/// <summary>What the generator needs to export one [NativePlugin] class; plain values only (incremental caching).</summary>
internal sealed record PluginModel(
    string TypeName,              // fully qualified, with global::
    string DisplayTypeName,       // for comments and messages
    string Id,
    string Name,
    string Version,
    string Description,
    string Vendor,
    uint Threading,               // NP_THREADING_*
    EquatableArray<string> ConstructorArguments, // "config" or "host", in parameter order
    LocationInfo? Location,
    bool HasConfigSchema,         // a static ConfigSchema member: the SDK checks the config before construction
    bool IsTransform,             // derives from TransformPlugin: offers np.transform/1 first
    EquatableArray<NativeInterfaceModel> Interfaces, // the [NativeInterface] interfaces it implements, in order
    bool IsStateful = false);     // a transform implementing IStatefulTransform: offers np.state/1 after np.transform/1

/// <summary>One [NativeInterface] interface a plugin class implements: its id, the generated types (with global::),
/// and the four parameter types of its create function as the exports' <c>BuildVTable</c> takes it (host, config,
/// out_instance, error), so that the generated create has exactly the vtable's signature.</summary>
internal sealed record NativeInterfaceModel(string Id, string InterfaceTypeName, string ExportsTypeName,
    EquatableArray<string> CreateParameters);

/// <summary>The analysis of one attributed class: a model when it can be exported, and any diagnostics.</summary>
internal sealed record PluginAnalysis(PluginModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A diagnostic kept as values until the output step reports it.</summary>
internal sealed record DiagnosticInfo(string DescriptorId, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic() => Diagnostic.Create(
        DiagnosticDescriptors.ById(DescriptorId), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
        Arguments.Items.ToArray());

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), EquatableArray.From(arguments));
}

/// <summary>A source location as values (Location holds a syntax tree, which would defeat caching).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Microsoft.CodeAnalysis.Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
