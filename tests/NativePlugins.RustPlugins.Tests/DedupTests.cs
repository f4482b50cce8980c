using NativePlugins.Hosting;
using NativePlugins.Interop;
using NativePlugins.RustPlugins.Tests.Infrastructure;
using static NativePlugins.RustPlugins.Tests.Infrastructure.RustArtifacts;

namespace NativePlugins.RustPlugins.Tests;

/// <summary>org.nativeplugins.rust.dedup through the .NET host.</summary>
public class DedupTests
{
    [Fact]
    public void Emits_the_first_occurrence_of_each_record_across_batches()
    {
        using var host = Hosts.WithSamples();
        using var instance = host.CreateTransform(Dedup);
        Assert.Equal(["a", "b", "c"], TestHosts.Process(instance, "a", "b", "a", "c", "b"));
        Assert.Equal(["d", ""], TestHosts.Process(instance, "c", "d", "", "a", ""));
    }

    [Fact]
    public void Flush_resets_and_a_second_flush_emits_nothing()
    {
        using var host = Hosts.WithSamples();
        using var instance = host.CreateTransform(Dedup);
        Assert.Equal(["a"], TestHosts.Run(instance, "a", "a"));
        using var output = new RecordBuffer();
        instance.Flush(output);
        Assert.Equal(0, output.Count);
        Assert.Equal(["a"], TestHosts.Run(instance, "a", "a"));
    }

    [Fact]
    public void Max_entries_bounds_memory_by_forgetting_the_oldest()
    {
        using var host = Hosts.WithSamples();
        Assert.Equal(["a", "b", "c", "a", "b"], TestHosts.Run(host, Dedup, "max_entries=2", "a", "b", "a", "c", "a", "c", "b"));
    }

    [Fact]
    public void Ignore_case_compares_ascii_case_insensitively()
    {
        using var host = Hosts.WithSamples();
        Assert.Equal(["Hello", "World"], TestHosts.Run(host, Dedup, "ignore_case=true", "Hello", "HELLO", "World", "hello"));
    }

    [Theory]
    [InlineData("max_entries=0", "config key 'max_entries' must be an integer in 1..4294967295, got '0'")]
    [InlineData("max_entries=-1", "config key 'max_entries' must be an integer in 1..4294967295, got '-1'")]
    [InlineData("window=3", "unknown config key 'window' (known keys: max_entries, ignore_case)")]
    public void Bad_configs_are_np_err_config(string config, string message)
    {
        using var host = Hosts.WithSamples();
        var e = Assert.Throws<PluginCallException>(() => host.CreateTransform(Dedup, config));
        Assert.Equal(NpAbi.NP_ERR_CONFIG, e.Status);
        Assert.Contains(message, e.PluginMessage);
    }

    [Fact]
    public void A_failed_reserve_stops_the_call_with_out_of_memory_and_nothing_is_lost()
    {
        using var host = Hosts.WithSamples();
        using var instance = host.CreateTransform(Dedup);
        using var input = TestHosts.Buffer("aaaa", "bbbb", "cccc");
        // Room for 8 bytes at most: "aaaa" and "bbbb" fit, "cccc" needs a reserve beyond the limit.
        using var output = new RecordBuffer(initialDataCapacity: 4, initialRecordCapacity: 1, maxDataBytes: 8);
        var e = Assert.Throws<PluginCallException>(() => instance.Process(input, output));
        Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, e.Status);
        Assert.False(e.IsProtocolViolation);
        Assert.Equal(["aaaa", "bbbb"], output.ToStringList());
        // "cccc" was not emitted, so it is not remembered: a retry with room emits it.
        Assert.Equal(["cccc"], TestHosts.Process(instance, "aaaa", "cccc"));
    }
}
