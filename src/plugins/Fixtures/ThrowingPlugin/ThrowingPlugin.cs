using System.Text;
using NativePlugins.PluginSdk;

namespace NativePlugins.Plugins.Fixtures;

/// <summary>
/// Passes records through unchanged, except:
/// a record equal to <c>trigger</c> (default <c>throw</c>) throws an InvalidOperationException (a bug: NP_ERR_PANIC,
/// the instance is poisoned); a record equal to <c>reject</c> (default <c>reject</c>) throws
/// PluginException.Input (NP_ERR_INPUT, the instance stays usable). <c>throw_in=create|flush|destroy</c> throws from
/// the constructor, Flush or Dispose instead; <c>fail_in=flush</c> makes Flush fail with a PluginException (an expected
/// failure: NP_ERR_PLUGIN, not a panic). A record <c>sleep</c> makes Process wait 400 ms (to provoke overlapping calls).
/// Every Flush that runs logs "flush ran", so tests can tell whether plugin code ran.
/// </summary>
[NativePlugin("org.nativeplugins.cs.test.throwing", Name = "Throwing test plugin", Version = "0.1.0",
    Description = "Throws on a trigger record (test fixture)", Vendor = "NativePlugins")]
public sealed class ThrowingPlugin : TransformPlugin
{
    private readonly byte[] _trigger;
    private readonly byte[] _reject;
    private readonly string _throwIn;
    private readonly bool _failInFlush;
    private readonly PluginHost _host;

    public ThrowingPlugin(PluginConfig config, PluginHost host)
    {
        _host = host;
        _failInFlush = config.GetString("fail_in", "") == "flush";
        _trigger = Encoding.UTF8.GetBytes(config.GetString("trigger", "throw"));
        _reject = Encoding.UTF8.GetBytes(config.GetString("reject", "reject"));
        _throwIn = config.GetString("throw_in", "process");
        if (_throwIn is not ("process" or "create" or "flush" or "destroy"))
            throw PluginException.Config($"throw_in must be process, create, flush or destroy, got '{_throwIn}'");
        if (_throwIn == "create")
            throw new InvalidOperationException("throwing plugin: thrown from the constructor as configured");
    }

    public override void Process(RecordBatch batch, Emitter output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            ReadOnlySpan<byte> record = batch[i];
            if (record.SequenceEqual(_trigger))
                throw new InvalidOperationException($"throwing plugin: triggered by record {i}");
            if (record.SequenceEqual("sleep"u8))
                Thread.Sleep(400);
            if (record.SequenceEqual(_reject))
                throw PluginException.Input($"record {i} is rejected as configured", detailCode: 42);
            output.Emit(record);
        }
    }

    public override void Flush(Emitter output)
    {
        _host.LogInfo("flush ran");
        if (_failInFlush)
            throw PluginException.Failure("throwing plugin: flush failed as configured");
        if (_throwIn == "flush")
            throw new InvalidOperationException("throwing plugin: thrown from Flush as configured");
    }

    public override void Dispose()
    {
        if (_throwIn == "destroy")
            throw new InvalidOperationException("throwing plugin: thrown from Dispose as configured");
        base.Dispose();
    }
}
