namespace NativePlugins.Extensions.Hosting;

/// <summary>What the hosted service of <see cref="Microsoft.Extensions.DependencyInjection.NativePluginsServiceCollectionExtensions.AddNativePlugins"/>
/// loads when the application starts (it unloads the same libraries when the application stops).</summary>
public sealed class PluginStartupOptions
{
    /// <summary>Scan the host's search path first (<see cref="NativePlugins.Hosting.PluginHostOptions.SearchPaths"/>,
    /// then <c>NPLUG_PLUGIN_PATH</c>). Default false.</summary>
    public bool LoadSearchPath { get; set; }

    /// <summary>Library files and directories to load, in order. A relative path is relative to the content root
    /// (<c>IHostEnvironment.ContentRootPath</c>; the current directory without a host environment).</summary>
    public List<string> Paths { get; set; } = [];

    /// <summary>Fail the application's start when a library is refused (<see cref="PluginStartupException"/>), after
    /// logging every refusal at Error. Default false: each refusal is a Warning and the application runs with the
    /// libraries that loaded.</summary>
    public bool FailOnRefusal { get; set; }
}
