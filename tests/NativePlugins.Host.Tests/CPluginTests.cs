using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>Each C sample plugin, through the .NET host: metadata, behaviour, config errors, stats.</summary>
public class CPluginTests
{
    [Fact]
    public void Libraries_load_with_validated_metadata()
    {
        using var host = WithCPlugins();
        var text = host.GetLibrary(Upper);
        Assert.Equal(NativeArtifacts.CText, text.FilePath);
        Assert.Equal(AbiVersion.Current, text.AgreedAbi);
        Assert.Equal(AbiVersion.Current, text.LibraryAbi);
        Assert.Equal(Interop.NpAbi.NP_LAYOUT_FINGERPRINT, text.LayoutFingerprint);
        Assert.True(text.HasLayoutReport);
        Assert.StartsWith("nplug-c/", text.Sdk);
        Assert.True(text.CanUnload);
        Assert.Equal([Upper, Grep], text.Plugins.Select(p => p.Id));

        Assert.Equal([Upper, Grep, Counter], host.Plugins.Select(p => p.Id));
        foreach (var p in host.Plugins)
        {
            Assert.Equal(PluginThreading.Single, p.Threading);
            Assert.Equal(["np.transform/1"], p.Interfaces.ToArray());
            Assert.True(p.IsTransform);
            Assert.Matches(@"^\d+\.\d+\.\d+", p.Version);
            Assert.NotEmpty(p.Name);
            Assert.Equal(AbiVersion.Current, p.AbiVersion);
        }
    }

    [Fact]
    public void Upper_upper_cases_ascii_and_utf8_at_the_same_length()
    {
        using var host = WithCPlugins();
        Assert.Equal(["HELLO, WORLD", "", "CRÈME BRÛLÉE", "ÇA VA? 123"],
            Run(host, Upper, "", "hello, world", "", "crème brûlée", "ça va? 123"));
        Assert.Equal(["CRèME"], Run(host, Upper, "mode=ascii", "crème"));
    }

    [Fact]
    public void Upper_rejects_invalid_utf8_with_np_err_input_and_a_message()
    {
        using var host = WithCPlugins();
        using var instance = host.CreateTransform(Upper);
        using var input = new RecordBuffer();
        input.Append("ok"u8);
        input.Append([0x61, 0xff, 0x62]);
        using var output = new RecordBuffer();
        var e = Assert.Throws<PluginCallException>(() => instance.Process(input, output));
        Assert.Equal(Interop.NpAbi.NP_ERR_INPUT, e.Status);
        Assert.Equal("NP_ERR_INPUT", e.StatusName);
        Assert.Equal(1, e.RecordIndex); // np_error_t.code = index + 1, written by the C SDK's np_error_set_input
        Assert.Contains("at record 1", e.Message);
        Assert.Equal("process", e.Operation);
        Assert.Equal(Upper, e.PluginId);
        Assert.Equal(NativeArtifacts.CText, e.FilePath);
        Assert.False(string.IsNullOrWhiteSpace(e.PluginMessage));
        Assert.Contains(Upper, e.Message);
        Assert.Contains(NativeArtifacts.CText, e.Message);
        // The instance stays usable after NP_ERR_INPUT.
        output.Clear();
        using var good = Buffer("fine");
        instance.Process(good, output);
        Assert.Equal(["FINE"], output.ToStringList());
        Assert.False(instance.IsPoisoned);
    }

    [Fact]
    public void Grep_filters_by_substring_with_invert_and_ignore_case()
    {
        using var host = WithCPlugins();
        string[] lines = ["an Error here", "all good", "ERROR again", "error"];
        Assert.Equal(["error"], Run(host, Grep, "pattern=error", lines));
        Assert.Equal(["an Error here", "ERROR again", "error"], Run(host, Grep, "pattern=error;ignore_case=true", lines));
        Assert.Equal(["an Error here", "all good", "ERROR again"], Run(host, Grep, "pattern=error;invert=true", lines));
    }

    [Fact]
    public void Config_errors_are_np_err_config_naming_the_problem()
    {
        using var host = WithCPlugins();
        var missing = Assert.Throws<PluginCallException>(() => host.CreateTransform(Grep, ""));
        Assert.Equal(Interop.NpAbi.NP_ERR_CONFIG, missing.Status);
        Assert.Equal("create", missing.Operation);
        Assert.Contains("pattern", missing.PluginMessage);

        var unknown = Assert.Throws<PluginCallException>(() => host.CreateTransform(Upper, "shout=yes"));
        Assert.Equal(Interop.NpAbi.NP_ERR_CONFIG, unknown.Status);
        Assert.Contains("shout", unknown.PluginMessage);

        // A failed create leaks nothing and leaves the host usable.
        Assert.Equal(0, host.Allocations.LiveAllocations);
        AssertStillWorks(host);
    }

    [Fact]
    public void Counter_emits_a_summary_at_flush_and_a_second_flush_emits_nothing()
    {
        using var host = WithCPlugins();
        using var counter = host.CreateTransform(Counter);
        using var output = new RecordBuffer();
        using (var input = Buffer("a", "bb", "a")) counter.Process(input, output);
        Assert.Equal(0, output.Count); // stateful: nothing until the end of the stream
        counter.Flush(output);
        Assert.Equal(["records=3 bytes=4"], output.ToStringList());
        output.Clear();
        counter.Flush(output);
        Assert.Equal(0, output.Count);
        // A new stream starts from zero (rule P8).
        using (var input = Buffer("xyz")) counter.Process(input, output);
        counter.Flush(output);
        Assert.Equal(["records=1 bytes=3"], output.ToStringList());
    }

    [Fact]
    public void Counter_per_value_counts_distinct_records()
    {
        using var host = WithCPlugins();
        var output = Run(host, Counter, "per_value=true", "a", "b", "a", "c", "a");
        Assert.Equal(["3\ta", "1\tb", "1\tc", "records=5 bytes=5 distinct=3"], output);
    }

    [Fact]
    public void Stats_are_read_through_the_leaf_function()
    {
        using var host = WithCPlugins();
        using var upper = host.CreateTransform(Upper);
        Assert.True(upper.SupportsStats);
        using var input = Buffer("ab", "cde");
        using var output = new RecordBuffer();
        upper.Process(input, output);
        upper.Process(input, output);
        Assert.True(upper.TryGetStats(out var s));
        Assert.Equal(new TransformStats(4, 4, 10, 10), s);
    }

    [Fact]
    public void Empty_batches_are_fine()
    {
        using var host = WithCPlugins();
        using var upper = host.CreateTransform(Upper);
        using var output = new RecordBuffer();
        upper.Process(RecordBatch.Empty, output);
        upper.Process(default(RecordBatch), output);
        upper.Flush(output);
        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void A_single_record_can_be_processed_from_a_managed_span()
    {
        using var host = WithCPlugins();
        using var upper = host.CreateTransform(Upper);
        using var output = new RecordBuffer();
        upper.Process("crème"u8, output);
        upper.Process(ReadOnlySpan<byte>.Empty, output);
        Assert.Equal(["CRÈME", ""], output.ToStringList());
    }

    [Fact]
    public void Output_is_appended_to_what_the_buffer_already_holds()
    {
        using var host = WithCPlugins();
        using var upper = host.CreateTransform(Upper);
        using var output = Buffer("existing");
        using var input = Buffer("new");
        upper.Process(input, output);
        Assert.Equal(["existing", "NEW"], output.ToStringList());
    }

    [Fact]
    public void Input_and_output_must_be_different_buffers()
    {
        using var host = WithCPlugins();
        using var upper = host.CreateTransform(Upper);
        using var buffer = Buffer("x");
        Assert.Throws<ArgumentException>(() => upper.Process(buffer, buffer));
    }

    [Fact]
    public void Unknown_plugin_id_is_a_typed_error()
    {
        using var host = WithCPlugins();
        var e = Assert.Throws<PluginNotFoundException>(() => host.CreateTransform("org.example.nothing"));
        Assert.Equal("org.example.nothing", e.PluginId);
    }
}
