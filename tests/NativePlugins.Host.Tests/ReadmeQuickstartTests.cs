using System.Text;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests;

/// <summary>The host quickstart of the README, verbatim apart from the plugin directory and the assertions, so the
/// documented code is known to compile and to do what the README says.</summary>
public class ReadmeQuickstartTests
{
    [Fact]
    public void Quickstart()
    {
        var pluginDir = RepoLayout.PluginDir;
        var printed = new List<string>();

        // --- README: load and list ---
        using var host = new PluginHost(new PluginHostOptions { SearchPaths = [pluginDir] });
        DiscoveryResult found = host.LoadFromSearchPath();   // + NPLUG_PLUGIN_PATH
        foreach (PluginLoadException error in found.Errors)  // one bad file never stops the scan
            Console.Error.WriteLine(error.Message);          // "<file>: plugin '<id>': <Reason>: <detail>"
        foreach (PluginInfo p in host.Plugins)
            printed.Add($"{p.Id} {p.Version} {p.Threading} {string.Join(",", p.Interfaces)}");

        // --- README: create, push, read ---
        using TransformInstance grep = host.CreateTransform("org.nativeplugins.c.grep", "pattern=error");
        using var input = new RecordBuffer();           // records in host-owned native memory
        input.Append("disk error on sda");
        input.Append("all good");
        using var output = new RecordBuffer();          // the plugin writes here through np_emitter_t
        grep.Process(input, output);                    // appends; one native call per batch
        grep.Flush(output);                             // end of stream: emit what was held back
        foreach (ReadOnlySpan<byte> record in output)   // spans over native memory: no copy, no allocation
            printed.Add(Encoding.UTF8.GetString(record));

        // --- README: pipeline ---
        using Pipeline pipeline = host.CreatePipeline([
            new PipelineStage("org.nativeplugins.c.grep", "pattern=error"),
            new PipelineStage("org.nativeplugins.c.upper"),
        ]);
        RecordBatch result = pipeline.Process(input);   // stage i's output buffer is stage i+1's input
        printed.AddRange(result.ToStringList());
        printed.AddRange(pipeline.Flush().ToStringList());

        // --- README: errors ---
        try { host.CreateTransform("org.nativeplugins.c.grep", "colour=red"); }
        catch (PluginCallException e) { printed.Add($"{e.StatusName}: {e.PluginMessage}"); }

        Assert.Contains("org.nativeplugins.c.grep 1.0.0 Single np.transform/1", printed);
        Assert.Equal("disk error on sda", printed[host.Plugins.Count]);
        Assert.Equal("DISK ERROR ON SDA", printed[host.Plugins.Count + 1]);
        Assert.StartsWith("NP_ERR_CONFIG: ", printed[^1]);
        Assert.Contains("colour", printed[^1]);
    }
}
