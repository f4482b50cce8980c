using NativePlugins.Hosting;
using NativePlugins.Interop;
using NativePlugins.TestSupport;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>np.state/1 (ABI 1.3) of an isolated instance (nplug-worker's SAVE_STATE / RESTORE_STATE): the same API and
/// the same bytes as in-process, bytes the plugin does not understand refused with its NP_ERR_INPUT, a crash in save or
/// restore typed as a crash of that operation, a broken save buffer a protocol violation, and no state API for a
/// plugin without np.state/1. The stateful fixture numbers the records of a stream and holds the last of each batch
/// back, so a carried state shows in what comes out.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class IsolatedStateTests
{
    private const string Stateful = "org.nativeplugins.fixture.stateful";

    private static string Variant(string variant) => RepoLayout.Fixture($"reload/libnp_fixture_stateful_{variant}.so");

    private static PluginHost InProcess(string variant)
    {
        var host = Create();
        host.Load(Variant(variant));
        return host;
    }

    private static PluginHost InWorker(string variant, PluginIsolation mode = PluginIsolation.ProcessPerLibrary)
    {
        var host = Isolated(mode);
        host.Load(Variant(variant));
        return host;
    }

    [Theory]
    [InlineData(PluginIsolation.ProcessPerLibrary)]
    [InlineData(PluginIsolation.ProcessPerInstance)]
    public void An_isolated_instance_saves_the_same_bytes_as_in_process_and_restores_them_into_another(PluginIsolation mode)
    {
        using var local = InProcess("v1");
        using var isolated = InWorker("v1", mode);
        using var a = local.CreateTransform(Stateful);
        using var b = isolated.CreateTransform(Stateful);
        Assert.Equal(mode, b.Isolation);
        Assert.True(b.SupportsState);
        Assert.Equal(Process(a, "a", "b", "c"), Process(b, "a", "b", "c")); // "c" (record 3) is held back

        var saved = b.SaveState();
        Assert.Equal(a.SaveState(), saved);
        Assert.Equal(saved, b.SaveState()); // save does not change the instance
        Assert.Equal("cnt1", System.Text.Encoding.ASCII.GetString(saved, 0, 4));

        // Into a fresh isolated instance (per library: the same worker; per instance: another one), and the
        // in-process bytes into an isolated instance: both continue the stream where it stood.
        using var restored = isolated.CreateTransform(Stateful);
        restored.RestoreState(saved);
        Assert.Equal(["v1:3:c", "v1:4:d", "v1:5:e"], Run(restored, "d", "e"));
        using var crossed = isolated.CreateTransform(Stateful);
        crossed.RestoreState(a.SaveState());
        Assert.Equal(["v1:3:c", "v1:4:x"], Run(crossed, "x"));
        Assert.Equal(["v1:3:c", "v1:4:d", "v1:5:e"], Run(b, "d", "e")); // the saved one went on unchanged
    }

    [Fact]
    public void Restoring_bytes_the_plugin_does_not_understand_is_refused_with_its_NP_ERR_INPUT_and_the_instance_keeps_running()
    {
        using var host = InWorker("v1");
        using var instance = host.CreateTransform(Stateful);
        var file = instance.Plugin.FilePath;
        var e = Assert.Throws<PluginCallException>(() => instance.RestoreState("garbage, not a state"u8));
        Assert.IsNotType<PluginCrashedException>(e);
        Assert.Equal("restore", e.Operation);
        Assert.Equal(NpAbi.NP_ERR_INPUT, e.Status);
        Assert.Equal(Stateful, e.PluginId);
        Assert.Equal(file, e.FilePath);
        Assert.StartsWith("not a 'cnt1' state of this plugin (20 bytes)", e.PluginMessage);
        Assert.Contains(file, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(e.IsProtocolViolation);
        Assert.Equal(0, instance.RestartCount);
        Assert.Equal(["v1:1:a", "v1:2:b"], Run(instance, "a", "b")); // its fresh state is untouched
    }

    [Theory]
    [InlineData("crash=save", "save")]
    [InlineData("crash=restore", "restore")]
    public void A_crash_in_save_or_restore_is_a_typed_crash_of_that_operation_and_the_instance_comes_back_without_state(
        string config, string operation)
    {
        using var host = InWorker("faults");
        using var instance = host.CreateTransform(Stateful, config);
        var file = instance.Plugin.FilePath;
        // save runs on an open stream; restore only into a fresh one (the C SDK refuses it on an open stream).
        if (operation == "save") Assert.Equal(["v6:1:a"], Process(instance, "a", "b"));
        var e = Assert.Throws<PluginCrashedException>(() =>
        {
            if (operation == "save") instance.SaveState();
            else instance.RestoreState([]);
        });
        Assert.Equal(operation, e.Operation);
        Assert.Equal("SIGABRT", e.SignalName);
        Assert.Equal(Stateful, e.PluginId);
        Assert.StartsWith($"{file}: plugin '{Stateful}': {operation} crashed the worker process: killed by SIGABRT", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        // Recreated at its next call with its config, without the state it had: numbering starts over.
        Assert.Equal(["v6:1:c", "v6:2:d"], Run(instance, "c", "d"));
        Assert.Equal(1, instance.RestartCount);
    }

    [Fact]
    public void A_save_that_writes_past_its_buffer_is_a_protocol_violation_not_a_crash()
    {
        using var host = InWorker("faults");
        using var instance = host.CreateTransform(Stateful, "save=overrun");
        var e = Assert.Throws<PluginCallException>(() => instance.SaveState());
        Assert.IsNotType<PluginCrashedException>(e);
        Assert.True(e.IsProtocolViolation);
        Assert.Equal("save", e.Operation);
        Assert.Contains("save wrote past the end of its np_out_bytes_t buffer; the instance is poisoned", e.Message);
        Assert.DoesNotContain("EEEE", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(0, instance.RestartCount);
    }

    [Fact]
    public void An_np_state_vtable_without_restore_is_refused_at_an_isolated_load_as_in_process()
    {
        var file = RepoLayout.Fixture("reload/libnp_fixture_state_null_restore.so");
        using var local = Create();
        var inProcess = Assert.Throws<PluginLoadException>(() => local.Load(file));
        using var isolated = Isolated();
        var inWorker = Assert.Throws<PluginLoadException>(() => isolated.Load(file));
        Assert.Equal(file, inWorker.FilePath);
        Assert.Contains("np_state_v1_t.restore is NULL", inProcess.Message);
        Assert.Contains("np_state_v1_t.restore is NULL", inWorker.Message);
        Assert.DoesNotContain('\n', inWorker.Message);
        Assert.Equal(PluginLoadError.NullFunction, inProcess.Reason); // the worker's refusals of P2 are MalformedLibrary
    }

    [Fact]
    public void An_isolated_plugin_without_np_state_or_below_ABI_1_3_has_no_state_API()
    {
        using var host = InWorker("nostate");
        using var instance = host.CreateTransform(Stateful);
        Assert.False(instance.SupportsState);
        var e = Assert.Throws<NotSupportedException>(() => instance.SaveState());
        Assert.Contains("offers no np.state/1", e.Message);
        Assert.Throws<NotSupportedException>(() => instance.RestoreState([]));

        using var older = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Isolation = PluginIsolation.ProcessPerLibrary,
            IsolationOptions = Options(),
            AbiMinor = 2,
        });
        older.Load(Variant("v1"));
        using var at12 = older.CreateTransform(Stateful);
        Assert.False(at12.SupportsState); // np.state/1 is listed, but a 1.2 host never calls it
        Assert.Equal(["v1:1:a"], Run(at12, "a"));
    }
}
