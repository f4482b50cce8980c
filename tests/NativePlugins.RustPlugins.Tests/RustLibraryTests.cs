using NativePlugins.Hosting;
using NativePlugins.RustPlugins.Tests.Infrastructure;
using static NativePlugins.RustPlugins.Tests.Infrastructure.RustArtifacts;

namespace NativePlugins.RustPlugins.Tests;

/// <summary>libnp_rust_samples.so as the .NET host sees it: negotiation, descriptors, init/deinit ref-counting.</summary>
public class RustLibraryTests
{
    [Fact]
    public void Loads_with_validated_metadata_and_the_rust_sdk_string()
    {
        using var host = TestHosts.Create();
        var library = host.Load(Samples);
        // The crate version is the product version (interop/VERSION), which is this assembly's version too.
        Assert.Equal($"nplug-rust/{typeof(RustLibraryTests).Assembly.GetName().Version!.ToString(3)}", library.Sdk);
        Assert.Equal(AbiVersion.Current, library.AgreedAbi);
        Assert.Equal(AbiVersion.Current, library.LibraryAbi);
        Assert.Equal(Interop.NpAbi.NP_LAYOUT_FINGERPRINT, library.LayoutFingerprint);
        Assert.True(library.HasLayoutReport);
        Assert.Equal([JsonField, Dedup], library.Plugins.Select(p => p.Id));
        foreach (var p in library.Plugins)
        {
            Assert.Equal("0.1.0", p.Version);
            Assert.Equal("NativePlugins", p.Vendor);
            Assert.NotEmpty(p.Name);
            Assert.NotEmpty(p.Description);
            Assert.Equal(PluginThreading.Single, p.Threading);
            Assert.Equal("np.transform/1", Assert.Single(p.Interfaces));
        }
    }

    [Fact]
    public void An_older_host_gets_abi_1_0_and_the_plugins_still_work()
    {
        using var host = TestHosts.Create(abiMinor: 0);
        var library = host.Load(Samples);
        Assert.Equal(new AbiVersion(1, 0), library.AgreedAbi);
        Assert.Equal(AbiVersion.Current, library.LibraryAbi);
        Assert.Equal(Interop.NpAbi.NP_LAYOUT_FINGERPRINT_1_0, library.LayoutFingerprint);
        using var instance = host.CreateTransform(Dedup);
        Assert.False(instance.SupportsStats, "stats is @since 1.1: absent when 1.0 was agreed");
        Assert.Equal(["a", "b"], TestHosts.Run(instance, "a", "b", "a"));
    }

    [Fact]
    public void Init_is_ref_counted_across_hosts_and_reloads()
    {
        // Two hosts load the same file (one mapping, one init count in the library): disposing one must not
        // de-initialise the library under the other.
        using var first = Hosts.WithSamples();
        using (var second = Hosts.WithSamples())
        {
            Assert.Equal(["x"], TestHosts.Run(second, Dedup, "", "x", "x"));
        }
        Assert.Equal(["y"], TestHosts.Run(first, Dedup, "", "y", "y"));
        first.Dispose();

        // Load again after everything was released (unloaded or not, the library starts from a clean count).
        for (int i = 0; i < 3; i++)
        {
            using var again = Hosts.WithSamples();
            Assert.Equal(["z"], TestHosts.Run(again, Dedup, "", "z", "z"));
        }
    }

    [Fact]
    public void Stats_are_kept_by_the_sdk()
    {
        using var host = Hosts.WithSamples();
        using var instance = host.CreateTransform(Dedup);
        Assert.True(instance.SupportsStats);
        TestHosts.Process(instance, "aa", "b", "aa", "cc");
        Assert.True(instance.TryGetStats(out var stats));
        Assert.Equal(new TransformStats(RecordsIn: 4, RecordsOut: 3, BytesIn: 7, BytesOut: 5), stats);
    }

    [Fact]
    public void Instances_run_on_different_threads_one_at_a_time_and_concurrently_when_separate()
    {
        using var host = Hosts.WithSamples();
        var results = new List<string>[8];
        Parallel.For(0, 8, i =>
        {
            using var instance = host.CreateTransform(Dedup);
            var records = Enumerable.Range(0, 500).Select(n => $"{i}-{n % 100}").ToArray();
            results[i] = TestHosts.Run(instance, records);
        });
        for (int i = 0; i < 8; i++)
            Assert.Equal(Enumerable.Range(0, 100).Select(n => $"{i}-{n}"), results[i]);
    }
}
