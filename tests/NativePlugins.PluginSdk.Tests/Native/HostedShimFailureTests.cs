using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>
/// A hosted plugin whose managed half cannot start fails np_entry cleanly (NP_ERR_UNSUPPORTED, versions written)
/// inside this .NET process, whose runtime the shim joins, and says why in the host's error buffer
/// (np_negotiation_t.error, ABI 1.2). What a C application sees is checked through the C host process
/// (CHostProcessTests), also the stderr line for a host whose struct has no error field.
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

    [Theory]
    [InlineData("libnp_cs_fixture_missing_assembly.so", "np_cs_fixture_missing_assembly.managed/np_cs_fixture_missing_assembly.dll' is missing")]
    [InlineData("libnp_cs_fixture_bad_runtimeconfig.so", "InvalidConfigFile")]
    [InlineData("libnp_cs_fixture_no_runtime.so", "np_cs_fixture_no_runtime.runtimeconfig.json")]
    [InlineData("libnp_cs_fixture_not_a_plugin.so", "cannot load NativePlugins.PluginSdk.Generated.NplugExports.NpEntryHosted")]
    public void The_reason_goes_into_the_hosts_error_buffer(string file, string reason)
    {
        var error = new ErrorBuffer(capacity: 1024);
        var (status, _, _) = RawLibrary.Negotiate(BuildLayout.Fixture("aot", file), error: error.Pointer);

        Assert.Equal(NpAbi.NP_ERR_UNSUPPORTED, status);
        string text = error.ToString();
        Assert.StartsWith("nplug hosted shim: ", text);
        Assert.Contains(reason, text);
        Assert.True(error.Length <= error.Capacity);

        // The kept answer explains itself every time (rule P3), also cut to a small buffer at a character boundary.
        var small = new ErrorBuffer(capacity: 19);
        Assert.Equal(NpAbi.NP_ERR_UNSUPPORTED, RawLibrary.Negotiate(BuildLayout.Fixture("aot", file), error: small.Pointer).Status);
        Assert.Equal("nplug hosted shim: ", small.ToString());
    }

    [Fact]
    public void A_1_1_host_struct_gets_no_reason_written()
    {
        // Its struct ends before np_negotiation_t.error: the shim must not touch what lies there (it prints the reason
        // on stderr instead, see CHostProcessTests).
        var error = new ErrorBuffer();
        var (status, negotiation, _) = RawLibrary.Negotiate(BuildLayout.Fixture("aot", "libnp_cs_fixture_missing_assembly.so"),
            error: error.Pointer, structSize: NpAbi.NP_SIZEOF_np_negotiation_t_1_1);

        Assert.Equal(NpAbi.NP_ERR_UNSUPPORTED, status);
        Assert.Equal(NpAbi.NP_ABI_MINOR, negotiation.library_abi_minor);
        Assert.Equal(0ul, error.Length);
        Assert.Equal(0, error.Message[0]);
    }
}
