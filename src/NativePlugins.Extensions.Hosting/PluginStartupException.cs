using NativePlugins.Hosting;

namespace NativePlugins.Extensions.Hosting;

/// <summary>Libraries were refused at startup and <see cref="PluginStartupOptions.FailOnRefusal"/> is set: the
/// application does not start. <see cref="Refusals"/> holds each file with its typed reason.</summary>
public sealed class PluginStartupException(IReadOnlyList<PluginLoadException> refusals)
    : Exception(Format(refusals), refusals.Count == 1 ? refusals[0] : new AggregateException(refusals))
{
    /// <summary>Every refusal, in load order.</summary>
    public IReadOnlyList<PluginLoadException> Refusals { get; } = refusals;

    private static string Format(IReadOnlyList<PluginLoadException> refusals) =>
        $"{refusals.Count} plugin librar{(refusals.Count == 1 ? "y was" : "ies were")} refused at startup " +
        $"(PluginStartupOptions.FailOnRefusal): {string.Join("; ", refusals.Select(r => r.Message))}";
}
