using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Diagnostics;

namespace NativePlugins.Extensions.Hosting.Tests;

/// <summary>The package readme (src/NativePlugins.Extensions.Hosting/README.md): its quickstart, verbatim apart from
/// the plugin directory and the assertions, compiles and does what it says; and it names every telemetry name the
/// host defines.</summary>
public class ReadmeTests
{
    [Fact]
    public async Task Quickstart()
    {
        var pluginDir = RepoLayout.PluginDir;
        var printed = new List<string>();
        string[] args = [];

        // --- README: quickstart ---
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddNativePlugins(o => o.SearchPaths = [pluginDir]) // relative to the content root
            .LoadSearchPathAtStartup();                                     // plugins/ and NPLUG_PLUGIN_PATH, at start

        using var app = builder.Build();
        await app.StartAsync();

        var host = app.Services.GetRequiredService<PluginHost>();
        using var pipeline = host.CreatePipeline([new PipelineStage("org.nativeplugins.c.upper")]);
        using var input = new RecordBuffer();
        input.Append("hello");
        foreach (var record in pipeline.Process(input).ToStringList()) printed.Add(record); // HELLO

        await app.StopAsync();
        // --- end ---

        Assert.Equal(["HELLO"], printed);
    }

    [Fact]
    public void The_readme_names_every_instrument_span_and_tag()
    {
        var readme = File.ReadAllText(RepoLayout.RepoFile("src/NativePlugins.Extensions.Hosting/README.md"));
        var names = typeof(PluginTelemetry).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Contains($"`{n}`", readme));
    }
}
