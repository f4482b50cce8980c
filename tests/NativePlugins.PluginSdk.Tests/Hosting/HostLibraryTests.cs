using NativePlugins.Hosting;
using NativePlugins.PluginSdk.Runtime;
using NativePlugins.PluginSdk.Tests.Infrastructure;
using HostPluginHost = NativePlugins.Hosting.PluginHost;

namespace NativePlugins.PluginSdk.Tests.Hosting;

/// <summary>The C# plugins through the .NET host library (src/NativePlugins.Host), both modes in one process.</summary>
public sealed class HostLibraryTests
{
    private const string Regex = "org.nativeplugins.cs.regex";
    private const string WordFreq = "org.nativeplugins.cs.wordfreq";

    private static HostPluginHost NewHost() => new(new PluginHostOptions { UseEnvironmentSearchPath = false });

    [Fact]
    public void Two_aot_and_two_hosted_plugins_run_in_one_process_and_in_mixed_pipelines()
    {
        // Plugin ids are unique per host, and one plugin built in two modes keeps its id: two hosts, four libraries.
        using HostPluginHost first = NewHost();
        using HostPluginHost second = NewHost();
        PluginLibrary aotRegex = first.Load(BuildLayout.Plugin("aot", "libnp_cs_regex.so"));
        PluginLibrary hostedWordFreq = first.Load(BuildLayout.Plugin("hosted", "libnp_cs_wordfreq.so"));
        PluginLibrary hostedRegex = second.Load(BuildLayout.Plugin("hosted", "libnp_cs_regex.so"));
        PluginLibrary aotWordFreq = second.Load(BuildLayout.Plugin("aot", "libnp_cs_wordfreq.so"));

        Assert.Equal($"{LibraryState.SdkName} (aot)", aotRegex.Sdk);
        Assert.Equal($"{LibraryState.SdkName} (hosted)", hostedWordFreq.Sdk);
        Assert.Equal($"{LibraryState.SdkName} (hosted)", hostedRegex.Sdk);
        Assert.Equal($"{LibraryState.SdkName} (aot)", aotWordFreq.Sdk);
        Assert.All([aotRegex, hostedWordFreq, hostedRegex, aotWordFreq], l => Assert.False(l.CanUnload));
        Assert.True(aotRegex.HasLayoutReport);

        foreach (HostPluginHost host in new[] { first, second })
        {
            using Pipeline pipeline = host.CreatePipeline([new PipelineStage(Regex, "pattern=fox"), new PipelineStage(WordFreq, "top=2")]);
            using var input = new RecordBuffer();
            input.Append("the quick brown fox");
            input.Append("the lazy dog");
            input.Append("a fox, the fox");
            Assert.Equal(0, pipeline.Process(input).Count);
            Assert.Equal(["fox\t3", "the\t2"], pipeline.Flush().ToStringList());
        }
    }

    [Theory]
    [InlineData("aot")]
    [InlineData("hosted")]
    public void Stats_is_a_true_leaf_callable_without_a_gc_transition(string mode)
    {
        // The host binds stats with SuppressGCTransition. A managed [UnmanagedCallersOnly] stats would fail fast here
        // in hosted mode (same CoreCLR, thread still in cooperative mode): the SDK answers stats in native code.
        using HostPluginHost host = NewHost();
        host.Load(BuildLayout.Plugin(mode, "libnp_cs_regex.so"));
        using TransformInstance instance = host.CreateTransform(Regex, "pattern=a");
        using var input = new RecordBuffer();
        input.Append("abc");
        input.Append("xyz");
        using var output = new RecordBuffer();
        instance.Process(input, output);

        Assert.True(instance.SupportsStats);
        Assert.True(instance.TryGetStats(out TransformStats stats));
        Assert.Equal(new TransformStats(RecordsIn: 2, RecordsOut: 1, BytesIn: 6, BytesOut: 3), stats);
    }

    [Theory]
    [InlineData("aot")]
    [InlineData("hosted")]
    public void A_throwing_plugin_gives_a_typed_error_poisons_its_instance_and_the_host_goes_on(string mode)
    {
        using HostPluginHost host = NewHost();
        host.Load(BuildLayout.Fixture(mode, "libnp_cs_throwing.so"));
        using TransformInstance instance = host.CreateTransform("org.nativeplugins.cs.test.throwing");
        using var input = new RecordBuffer();
        input.Append("throw");
        using var output = new RecordBuffer();

        var error = Assert.Throws<PluginCallException>(() => instance.Process(input, output));
        Assert.Equal("NP_ERR_PANIC", error.StatusName);
        Assert.Contains("InvalidOperationException: throwing plugin: triggered by record 0", error.PluginMessage);
        Assert.True(instance.IsPoisoned);

        using TransformInstance fresh = host.CreateTransform("org.nativeplugins.cs.test.throwing");
        using var ok = new RecordBuffer();
        ok.Append("fine");
        fresh.Process(ok, output);
        Assert.Equal(["fine"], output.ToStringList());
    }

    [Theory]
    [InlineData("libnp_cs_fixture_missing_assembly.so")]
    [InlineData("libnp_cs_fixture_bad_runtimeconfig.so")]
    [InlineData("libnp_cs_fixture_no_runtime.so")]
    [InlineData("libnp_cs_fixture_not_a_plugin.so")]
    public void A_hosted_plugin_that_cannot_start_is_refused_with_a_typed_error(string file)
    {
        using HostPluginHost host = NewHost();
        string path = BuildLayout.Fixture("aot", file);

        Assert.False(host.TryLoad(path, out _, out PluginLoadException? error));

        Assert.Equal(PluginLoadError.EntryFailed, error.Reason);
        Assert.Equal(Path.GetFullPath(path), Path.GetFullPath(error.FilePath));
        Assert.Contains("NP_ERR_UNSUPPORTED", error.Message);
        Assert.Empty(host.Libraries);
    }
}
