using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NativePlugins.Extensions.Hosting;
using NativePlugins.Hosting;

namespace NativePlugins.Extensions.Hosting.Tests;

/// <summary>
/// AddNativePlugins in a container: the PluginHost singleton built from the options pattern (callbacks and
/// configuration) with the container's logger and meter factories, and disposed, libraries and all, with the
/// container.
/// </summary>
public class AddNativePluginsTests
{
    private const string Upper = "org.nativeplugins.c.upper";

    private static string CText => RepoLayout.Plugin("libnp_c_text.so");

    [Fact]
    public void The_host_is_a_singleton_built_from_the_configured_options_and_the_container_logger_factory()
    {
        var logs = new ListLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddNativePlugins(o => o.UseEnvironmentSearchPath = false)
            .Configure(o => o.HostName = "di-test-host");
        using var provider = services.BuildServiceProvider();

        var host = provider.GetRequiredService<PluginHost>();

        Assert.Same(host, provider.GetRequiredService<PluginHost>());
        Assert.Equal("di-test-host", host.Options.HostName);
        Assert.False(host.Options.UseEnvironmentSearchPath);
        Assert.Same(logs, host.Options.LoggerFactory);
        Assert.True(host.Options.IsFrozen);
        host.Load(CText);
        Assert.Equal(["ABC"], TestHosts.Run(host, Upper, "", "abc"));
    }

    [Fact]
    public void Options_set_explicitly_win_over_the_container_services()
    {
        var own = new ListLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(new ListLoggerFactory());
        services.AddNativePlugins(o => o.LoggerFactory = own);
        using var provider = services.BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<PluginHost>().Options.LoggerFactory);
    }

    [Fact]
    public void Calling_AddNativePlugins_twice_registers_one_host_with_both_callbacks()
    {
        var services = new ServiceCollection();
        services.AddNativePlugins(o => o.HostName = "first");
        services.AddNativePlugins(o => o.Recursive = true);
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(PluginHost));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        var host = provider.GetRequiredService<PluginHost>();
        Assert.Equal("first", host.Options.HostName);
        Assert.True(host.Options.Recursive);
    }

    [Fact]
    public void Options_bind_from_configuration_and_startup_options_from_its_Startup_child()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NativePlugins:HostName"] = "bound-host",
            ["NativePlugins:Recursive"] = "true",
            ["NativePlugins:UseEnvironmentSearchPath"] = "false",
            ["NativePlugins:AbiMinor"] = "1",
            ["NativePlugins:SearchPaths:0"] = "/opt/plugins",
            ["NativePlugins:SearchPaths:1"] = "/usr/lib/plugins",
            ["NativePlugins:Startup:Paths:0"] = "/srv/plugins",
            ["NativePlugins:Startup:FailOnRefusal"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddNativePlugins().BindConfiguration();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<PluginHost>().Options;
        Assert.Equal("bound-host", options.HostName);
        Assert.True(options.Recursive);
        Assert.False(options.UseEnvironmentSearchPath);
        Assert.Equal(1u, options.AbiMinor);
        Assert.Equal(["/opt/plugins", "/usr/lib/plugins"], options.SearchPaths);
        Assert.Equal(["nplug-cs", "nplug-dotnet"], options.NeverUnloadSdkPrefixes);
        var startup = provider.GetRequiredService<IOptions<PluginStartupOptions>>().Value;
        Assert.Equal(["/srv/plugins"], startup.Paths);
        Assert.True(startup.FailOnRefusal);
        Assert.False(startup.LoadSearchPath);
    }

    [Fact]
    public void A_bad_configured_value_fails_resolution_naming_the_option()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Plugins:AbiMinor"] = "99",
        }).Build();
        var services = new ServiceCollection();
        services.AddNativePlugins().Bind(config.GetSection("Plugins"));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<PluginHost>());
        Assert.Contains("AbiMinor 99", e.Message);
    }

    [Fact]
    public void Disposing_the_container_disposes_the_host_and_releases_its_libraries()
    {
        var services = new ServiceCollection();
        services.AddNativePlugins(o => o.UseEnvironmentSearchPath = false);
        var provider = services.BuildServiceProvider();
        var host = provider.GetRequiredService<PluginHost>();
        var library = host.Load(CText);

        provider.Dispose();

        Assert.True(library.IsDisposed);
        Assert.Empty(host.Libraries);
        Assert.Throws<ObjectDisposedException>(() => host.Load(CText));
    }

    [Fact]
    public void The_generic_host_gives_its_meter_factory_and_relative_search_paths_resolve_against_the_content_root()
    {
        using var root = new TempDirectory("nplug-di-tests");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = root.Path,
            DisableDefaults = true,
        });
        builder.Services.AddMetrics();
        builder.Services.AddNativePlugins(o =>
        {
            o.UseEnvironmentSearchPath = false;
            o.SearchPaths = ["plugins", "/abs/plugins"];
        });
        using var app = builder.Build();

        var host = app.Services.GetRequiredService<PluginHost>();

        Assert.Same(app.Services.GetRequiredService<IMeterFactory>(), host.Options.MeterFactory);
        Assert.Equal([Path.Combine(root.Path, "plugins"), "/abs/plugins"], host.Options.SearchPaths);
    }
}
