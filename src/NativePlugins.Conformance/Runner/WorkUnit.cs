namespace NativePlugins.Conformance;

/// <summary>One run of one check: on the library (<see cref="PluginIndex"/> null), on one transform plugin, or on one
/// interface (<see cref="InterfaceId"/>) of one plugin.</summary>
public sealed record WorkUnit(string Check, int? PluginIndex, string? PluginId, string? InterfaceId = null);

/// <summary>What a worker learned about the library before running checks.</summary>
/// <param name="Sdk">np_library_t.sdk.</param>
/// <param name="Plugins">Every plugin descriptor that could be read.</param>
/// <param name="Error">Why the library could not be opened or entered (then <paramref name="Plugins"/> is empty).</param>
public sealed record LibraryDescription(string? Sdk, IReadOnlyList<PluginSummary> Plugins, string? Error);
