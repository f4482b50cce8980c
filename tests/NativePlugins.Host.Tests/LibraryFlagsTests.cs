using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Interop;
using NativePlugins.TestSupport;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>ABI 1.2 at load: np_library_t.flags decides whether a library may be unloaded (rule H6; the sdk string
/// only for a 1.0/1.1 library), and np_negotiation_t.error carries the library's reason for a failed np_entry into
/// the <see cref="PluginLoadException"/>.</summary>
public class LibraryFlagsTests
{
    private static PluginHost WithoutSdkInference(uint? abiMinor = null) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        AbiMinor = abiMinor ?? NpAbi.NP_ABI_MINOR,
        NeverUnloadSdkPrefixes = [], // nothing to infer from: only the flag can keep a library mapped
    });

    private static bool IsMapped(string path) =>
        File.ReadLines("/proc/self/maps").Any(l => l.EndsWith(path, StringComparison.Ordinal)
                                                    || l.EndsWith(path + " (deleted)", StringComparison.Ordinal));

    [Fact]
    public void A_c_library_has_no_flags_and_is_unloaded_when_disposed()
    {
        using var dir = new TempDirectory();
        var copy = dir.Copy(NativeArtifacts.CText); // a file of its own: no other test maps it
        using var host = WithoutSdkInference();
        var lib = host.Load(copy);
        Assert.Equal(AbiVersion.Current, lib.AgreedAbi);
        Assert.Equal(LibraryFlags.None, lib.Flags);
        Assert.True(lib.CanUnload);
        Assert.True(IsMapped(copy));

        lib.Dispose();
        Assert.False(IsMapped(copy), $"{copy} is still mapped after its library was disposed");
    }

    [Fact]
    public void A_csharp_library_is_flagged_no_unload_and_stays_mapped_after_dispose()
    {
        using var dir = new TempDirectory();
        var copy = dir.Copy(RepoLayout.Fixture("libnp_cs_throwing.so")); // NativeAOT: self-contained
        using var host = WithoutSdkInference();
        var lib = host.Load(copy);
        Assert.StartsWith("nplug-cs/", lib.Sdk);
        Assert.Equal(LibraryFlags.NoUnload, lib.Flags);
        Assert.False(lib.CanUnload); // because of the flag: the host infers nothing here

        lib.Dispose();
        Assert.True(IsMapped(copy), $"{copy} was unloaded although it is flagged NP_LIBRARY_NO_UNLOAD");
    }

    [Theory]
    [InlineData("libnp_cs_regex.so")]
    [InlineData("libnp_cs_wordfreq.so")]
    public void A_hosted_csharp_library_is_flagged_no_unload(string file)
    {
        using var host = WithoutSdkInference();
        var lib = host.Load(NativeArtifacts.HostedPlugin(file));
        Assert.EndsWith("(hosted)", lib.Sdk);
        Assert.Equal(LibraryFlags.NoUnload, lib.Flags);
        Assert.False(lib.CanUnload);
    }

    [Fact]
    public void Below_ABI_1_2_the_flags_are_not_read_and_the_sdk_string_decides()
    {
        using var host = Create(abiMinor: 1);
        var lib = host.Load(RepoLayout.Fixture("libnp_cs_throwing.so"));
        Assert.Equal(new AbiVersion(1, 1), lib.AgreedAbi);
        Assert.Equal(LibraryFlags.None, lib.Flags); // the field is not in ABI 1.1 (rule H2)
        Assert.False(lib.CanUnload); // inferred from "nplug-cs/..." (NeverUnloadSdkPrefixes)

        using var cHost = Create(abiMinor: 1);
        Assert.True(cHost.Load(NativeArtifacts.CText).CanUnload);
    }

    [Fact]
    public void UnloadLibraries_false_keeps_even_a_c_library_mapped()
    {
        using var host = new PluginHost(new PluginHostOptions { UseEnvironmentSearchPath = false, UnloadLibraries = false });
        var lib = host.Load(NativeArtifacts.CText);
        Assert.Equal(LibraryFlags.None, lib.Flags);
        Assert.False(lib.CanUnload);
    }

    [Theory]
    [InlineData("libnp_cs_fixture_missing_assembly.so", "nplug hosted shim: the managed plugin assembly '", "np_cs_fixture_missing_assembly.dll' is missing")]
    [InlineData("libnp_cs_fixture_bad_runtimeconfig.so", "nplug hosted shim: cannot start the .NET runtime", "InvalidConfigFile")]
    [InlineData("libnp_cs_fixture_no_runtime.so", "nplug hosted shim: cannot start the .NET runtime", "np_cs_fixture_no_runtime.runtimeconfig.json")]
    [InlineData("libnp_cs_fixture_not_a_plugin.so", "nplug hosted shim: cannot load NativePlugins.PluginSdk.Generated.NplugExports.NpEntryHosted", "np_cs_fixture_not_a_plugin.dll")]
    public void A_hosted_plugin_that_cannot_start_surfaces_the_shims_reason(string file, string reason, string detail)
    {
        var path = RepoLayout.Fixture(file);
        using var host = Create();
        var e = Assert.Throws<PluginLoadException>(() => host.Load(path));
        Assert.Equal(PluginLoadError.EntryFailed, e.Reason);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"np_entry returned NP_ERR_UNSUPPORTED ({NpAbi.NP_ERR_UNSUPPORTED}): {reason}", e.Detail);
        Assert.Contains(detail, e.Detail);
        Assert.StartsWith($"{path}: EntryFailed: np_entry returned NP_ERR_UNSUPPORTED", e.Message);
        AssertStillWorks(host);
    }
}
