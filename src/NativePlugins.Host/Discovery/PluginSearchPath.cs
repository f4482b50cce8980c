using NativePlugins.Hosting.Discovery;

namespace NativePlugins.Hosting;

/// <summary>The plugin directories a process takes from its environment (<c>NPLUG_PLUGIN_PATH</c>), for hosts and
/// tools that build their own search path (<c>nplug</c> does). <see cref="PluginHost"/> applies the same rule when
/// <see cref="PluginHostOptions.UseEnvironmentSearchPath"/> is set.</summary>
public static class PluginSearchPath
{
    /// <summary>True when the process is set-user-ID, set-group-ID or has file capabilities: then
    /// <see cref="FromEnvironment"/> is empty whatever <c>NPLUG_PLUGIN_PATH</c> says, as the dynamic loader ignores
    /// <c>LD_LIBRARY_PATH</c> for such a process (whoever starts it chooses its environment, not its privileges).
    /// Explicit directories (<see cref="PluginHostOptions.SearchPaths"/>) still apply.</summary>
    public static bool IgnoresEnvironment => ProcessElevation.IsElevated;

    /// <summary>The entries of <c>NPLUG_PLUGIN_PATH</c> (split at <see cref="Path.PathSeparator"/>, empty entries
    /// dropped, in order), or none when the variable is unset or <see cref="IgnoresEnvironment"/>. Entries that do not
    /// exist are returned too: callers ignore them, like PATH.</summary>
    public static IReadOnlyList<string> FromEnvironment()
    {
        if (IgnoresEnvironment) return [];
        var value = Environment.GetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable);
        return string.IsNullOrEmpty(value)
            ? []
            : value.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>True when <c>NPLUG_PLUGIN_PATH</c> is set but ignored because the process is elevated (hosts log it,
    /// so that nobody wonders why the variable has no effect).</summary>
    internal static bool EnvironmentIgnored =>
        IgnoresEnvironment && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PluginHostOptions.PluginPathEnvironmentVariable));
}
