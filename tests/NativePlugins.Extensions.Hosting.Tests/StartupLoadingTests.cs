using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NativePlugins.Extensions.Hosting;
using NativePlugins.Hosting;

namespace NativePlugins.Extensions.Hosting.Tests;

/// <summary>
/// The hosted service of AddNativePlugins in a generic host: it loads the named files and directories when the
/// application starts (usable right after), logs each refused library at Warning with its file and typed reason
/// while the others load, fails the start instead when asked to, and releases what it loaded when the application
/// stops.
/// </summary>
public sealed class StartupLoadingTests : IDisposable
{
    private const string Upper = "org.nativeplugins.c.upper";

    private readonly TempDirectory _root = new("nplug-di-tests");
    private readonly ListLoggerFactory _logs = new();

    public void Dispose() => _root.Dispose();

    /// <summary>A plugin folder below the content root: the C text library and a fixture the host refuses.</summary>
    private string PluginFolder(bool withBroken)
    {
        var dir = Path.Combine(_root.Path, "plugins");
        Directory.CreateDirectory(dir);
        File.Copy(RepoLayout.Plugin("libnp_c_text.so"), Path.Combine(dir, "libnp_c_text.so"));
        if (withBroken)
            File.Copy(RepoLayout.Fixture("libnp_fixture_missing_entry.so"), Path.Combine(dir, "libnp_broken.so"));
        return dir;
    }

    private IHost Build(Action<NativePluginsBuilder> plugins)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = _root.Path,
            DisableDefaults = true,
        });
        builder.Services.AddSingleton<ILoggerFactory>(_logs);
        plugins(builder.Services.AddNativePlugins(o => o.UseEnvironmentSearchPath = false));
        return builder.Build();
    }

    private List<ListLoggerFactory.Entry> Warnings(LogLevel level) =>
        _logs.Entries.Where(e => e.Level == level && e.Category.Contains("PluginStartupService")).ToList();

    [Fact]
    public async Task Libraries_named_at_startup_load_when_the_application_starts_and_are_usable()
    {
        PluginFolder(withBroken: false);
        using var app = Build(p => p.LoadAtStartup("plugins")); // relative: the content root's

        var host = app.Services.GetRequiredService<PluginHost>();
        Assert.Empty(host.Libraries);
        await app.StartAsync();

        Assert.Equal(["ÉTÉ"], TestHosts.Run(host, Upper, "", "été"));
        Assert.Empty(Warnings(LogLevel.Warning));
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("libnp_c_text.so"));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_refused_library_is_a_warning_naming_file_and_reason_and_the_others_load()
    {
        var dir = PluginFolder(withBroken: true);
        using var app = Build(p => p.LoadAtStartup(dir));

        await app.StartAsync();

        var warning = Assert.Single(Warnings(LogLevel.Warning));
        Assert.Contains(Path.Combine(dir, "libnp_broken.so"), warning.Message);
        Assert.Contains(nameof(PluginLoadError.MissingEntry), warning.Message);
        var host = app.Services.GetRequiredService<PluginHost>();
        Assert.Equal(["ABC"], TestHosts.Run(host, Upper, "", "abc"));
        await app.StopAsync();
    }

    [Fact]
    public async Task A_missing_file_is_refused_as_FileNotFound_and_does_not_stop_the_start()
    {
        using var app = Build(p => p.LoadAtStartup("no-such-plugin.so", RepoLayout.Plugin("libnp_c_text.so")));

        await app.StartAsync();

        var warning = Assert.Single(Warnings(LogLevel.Warning));
        Assert.Contains(Path.Combine(_root.Path, "no-such-plugin.so"), warning.Message);
        Assert.Contains(nameof(PluginLoadError.FileNotFound), warning.Message);
        Assert.Single(app.Services.GetRequiredService<PluginHost>().Libraries);
        await app.StopAsync();
    }

    [Fact]
    public async Task With_FailStartupOnRefusal_a_refused_library_fails_the_start_with_every_refusal()
    {
        var dir = PluginFolder(withBroken: true);
        using var app = Build(p => p.LoadAtStartup(dir).FailStartupOnRefusal());

        var e = await Assert.ThrowsAsync<PluginStartupException>(() => app.StartAsync());

        var refusal = Assert.Single(e.Refusals);
        Assert.Equal(PluginLoadError.MissingEntry, refusal.Reason);
        Assert.Contains("libnp_broken.so", e.Message);
        Assert.Single(Warnings(LogLevel.Error));
    }

    [Fact]
    public async Task Stopping_the_application_releases_the_libraries_loaded_at_startup()
    {
        PluginFolder(withBroken: false);
        using var app = Build(p => p.LoadAtStartup("plugins"));
        await app.StartAsync();
        var host = app.Services.GetRequiredService<PluginHost>();
        var library = Assert.Single(host.Libraries);

        await app.StopAsync();

        Assert.True(library.IsDisposed);
        Assert.Empty(host.Libraries);
    }

    [Fact]
    public async Task The_search_path_loads_at_startup_when_asked()
    {
        var dir = PluginFolder(withBroken: false);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = _root.Path,
            DisableDefaults = true,
        });
        builder.Services.AddNativePlugins(o =>
        {
            o.UseEnvironmentSearchPath = false;
            o.SearchPaths = ["plugins"];
        }).LoadSearchPathAtStartup();
        using var app = builder.Build();

        await app.StartAsync();

        var library = Assert.Single(app.Services.GetRequiredService<PluginHost>().Libraries);
        Assert.Equal(Path.Combine(dir, "libnp_c_text.so"), library.FilePath);
        await app.StopAsync();
    }

    [Fact]
    public async Task With_nothing_to_load_the_start_loads_nothing()
    {
        using var app = Build(_ => { });

        await app.StartAsync();

        Assert.Empty(app.Services.GetRequiredService<PluginHost>().Libraries);
        await app.StopAsync();
    }
}
