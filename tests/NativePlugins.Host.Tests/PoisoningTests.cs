using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>Rule P7 seen from the host, with the C# SDK's throwing fixture (a NativeAOT library): a caught exception
/// is NP_ERR_PANIC with its message, the instance is poisoned, and the host and other instances carry on.</summary>
public class PoisoningTests
{
    private const string Throwing = "org.nativeplugins.cs.test.throwing";

    [Fact]
    public void A_panic_poisons_only_its_instance_and_names_the_plugin()
    {
        using var host = Create();
        var lib = host.Load(RepoLayout.Fixture("libnp_cs_throwing.so"));
        Assert.False(lib.CanUnload); // a .NET runtime lives in it (rule H6)
        using var victim = host.CreateTransform(Throwing);
        using var bystander = host.CreateTransform(Throwing);
        using var output = new RecordBuffer();

        using (var reject = Buffer("reject"))
        {
            var input = Assert.Throws<PluginCallException>(() => victim.Process(reject, output));
            Assert.Equal(Interop.NpAbi.NP_ERR_INPUT, input.Status);
            Assert.Equal(42, input.DetailCode);
            Assert.False(victim.IsPoisoned);
        }

        using (var boom = Buffer("ok", "throw"))
        {
            var panic = Assert.Throws<PluginCallException>(() => victim.Process(boom, output));
            Assert.Equal("NP_ERR_PANIC", panic.StatusName);
            Assert.Equal(Throwing, panic.PluginId);
            Assert.Contains("triggered by record 1", panic.PluginMessage);
            Assert.True(victim.IsPoisoned);
        }

        using var fine = Buffer("fine");
        var state = Assert.Throws<PluginCallException>(() => victim.Process(fine, output));
        Assert.Equal("NP_ERR_STATE", state.StatusName);

        output.Clear();
        bystander.Process(fine, output);
        Assert.Equal(["fine"], output.ToStringList());
        AssertStillWorks(host);
    }
}
