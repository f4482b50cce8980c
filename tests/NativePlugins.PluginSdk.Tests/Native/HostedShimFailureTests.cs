using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>
/// A hosted plugin whose managed half cannot start fails np_entry cleanly (NP_ERR_UNSUPPORTED, versions written)
/// inside this .NET process, whose runtime the shim joins; the messages are checked through the C host process
/// (ProcessTests), since the shim writes them to stderr.
/// </summary>
public sealed unsafe class HostedShimFailureTests
{
    [Theory]
    [InlineData("libnp_cs_fixture_missing_assembly.so")]
    [InlineData("libnp_cs_fixture_bad_runtimeconfig.so")]
    [InlineData("libnp_cs_fixture_no_runtime.so")]
    [InlineData("libnp_cs_fixture_not_a_plugin.so")]
    public void Np_entry_fails_with_NP_ERR_UNSUPPORTED_and_writes_the_versions(string file)
    {
        var (status, negotiation, library) = RawLibrary.Negotiate(BuildLayout.Fixture("aot", file));

        Assert.Equal(NpAbi.NP_ERR_UNSUPPORTED, status);
        Assert.True(library is null);
        Assert.Equal(NpAbi.NP_ABI_MAJOR, negotiation.library_abi_major);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.library_abi_minor);

        // The answer is kept: a second call gives the same, without retrying.
        Assert.Equal(NpAbi.NP_ERR_UNSUPPORTED, RawLibrary.Negotiate(BuildLayout.Fixture("aot", file)).Status);
    }
}
