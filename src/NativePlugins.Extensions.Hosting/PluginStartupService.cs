using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NativePlugins.Hosting;

namespace NativePlugins.Extensions.Hosting;

/// <summary>
/// Loads the libraries of <see cref="PluginStartupOptions"/> when the application starts and releases them when it
/// stops (each deinitializes once the application's last instance of it is disposed, rule H6). A refused library is
/// logged with its file and typed reason; the application keeps running with the others unless
/// <see cref="PluginStartupOptions.FailOnRefusal"/> is set.
/// </summary>
internal sealed partial class PluginStartupService(
    PluginHost host, IOptions<PluginStartupOptions> options, ILogger<PluginStartupService> logger,
    IHostEnvironment? environment = null) : IHostedService
{
    private readonly List<PluginLibrary> _loaded = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.LoadSearchPath && settings.Paths.Count == 0) return Task.CompletedTask;
        var refused = new List<PluginLoadException>();
        if (settings.LoadSearchPath) Take(host.LoadFromSearchPath(), refused);
        foreach (var entry in settings.Paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.GetFullPath(PluginHostOptionsSetup.Resolve(environment, entry));
            if (Directory.Exists(path))
                Take(host.LoadDirectories([path]), refused);
            else if (host.Libraries.Any(l => l.FilePath == path))
                LogSkipped(path, "already loaded");
            else if (host.TryLoad(path, out var library, out var error))
                Loaded(library);
            else
                refused.Add(error);
        }

        var level = settings.FailOnRefusal ? LogLevel.Error : LogLevel.Warning;
        foreach (var r in refused)
        {
            if (r.PluginId is { } id) LogRefusedPlugin(level, r.FilePath, id, r.Reason, r.Detail);
            else LogRefused(level, r.FilePath, r.Reason, r.Detail);
        }
        LogStarted(_loaded.Count, _loaded.Sum(l => l.Plugins.Length), refused.Count);
        if (refused.Count > 0 && settings.FailOnRefusal) throw new PluginStartupException(refused);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Newest first, the reverse of loading, as a stack of dependencies would want.
        for (int i = _loaded.Count - 1; i >= 0; i--)
        {
            LogUnloaded(_loaded[i].FilePath);
            _loaded[i].Dispose();
        }
        _loaded.Clear();
        return Task.CompletedTask;
    }

    private void Take(DiscoveryResult result, List<PluginLoadException> refused)
    {
        foreach (var l in result.Libraries) Loaded(l);
        refused.AddRange(result.Errors);
        foreach (var s in result.Skipped) LogSkipped(s.Path, s.Reason);
    }

    private void Loaded(PluginLibrary library)
    {
        _loaded.Add(library);
        LogLoaded(library.FilePath, string.Join(", ", library.Plugins.Select(p => p.Id)));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "NativePlugins: loaded {File}: {PluginIds}")]
    private partial void LogLoaded(string file, string pluginIds);

    // The same shape as PluginLoadException.Message, with each part a field of its own for structured logging.
    [LoggerMessage(EventId = 2, Message = "NativePlugins: refused {File}: {Reason}: {Detail}")]
    private partial void LogRefused(LogLevel level, string file, PluginLoadError reason, string detail);

    [LoggerMessage(EventId = 2, Message = "NativePlugins: refused {File}: plugin '{PluginId}': {Reason}: {Detail}")]
    private partial void LogRefusedPlugin(LogLevel level, string file, string pluginId, PluginLoadError reason, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "NativePlugins: skipped {Path}: {Why}")]
    private partial void LogSkipped(string path, string why);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "NativePlugins: startup loaded {Libraries} libraries with {Plugins} plugins; refused {Refused}")]
    private partial void LogStarted(int libraries, int plugins, int refused);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "NativePlugins: released {File}")]
    private partial void LogUnloaded(string file);
}
