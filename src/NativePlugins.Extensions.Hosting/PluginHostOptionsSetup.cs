using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NativePlugins.Hosting;

namespace NativePlugins.Extensions.Hosting;

/// <summary>Fills in what the container knows and the options leave open, after every configure callback and
/// binding: the logger factory, the meter factory, and the content root for relative search paths. Each service is
/// optional (a bare <c>ServiceCollection</c> has none of them).</summary>
internal sealed class PluginHostOptionsSetup(
    ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, IHostEnvironment? environment = null)
    : IPostConfigureOptions<PluginHostOptions>
{
    public void PostConfigure(string? name, PluginHostOptions options)
    {
        options.LoggerFactory ??= loggerFactory;
        options.MeterFactory ??= meterFactory;
        if (environment is not null && options.SearchPaths.Any(p => !Path.IsPathRooted(p)))
            options.SearchPaths = options.SearchPaths.Select(p => Resolve(environment, p)).ToArray();
    }

    /// <summary>A path of the application's, as the rest of Microsoft.Extensions reads it: relative to the
    /// content root.</summary>
    internal static string Resolve(IHostEnvironment? environment, string path) =>
        Path.IsPathRooted(path) || environment is null ? path : Path.Combine(environment.ContentRootPath, path);
}
