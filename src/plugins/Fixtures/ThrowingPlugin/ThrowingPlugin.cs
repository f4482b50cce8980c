using System.Text;
using NativePlugins.Interop;
using NativePlugins.PluginSdk;

namespace NativePlugins.Plugins.Fixtures;

/// <summary>
/// Passes records through unchanged, except:
/// a record equal to <c>trigger</c> (default <c>throw</c>) throws (by default an InvalidOperationException: a bug,
/// NP_ERR_PANIC, the instance is poisoned); a record equal to <c>reject</c> (default <c>reject</c>) throws
/// PluginException.Input (NP_ERR_INPUT, the instance stays usable). <c>throw_in=create|flush|destroy</c> throws from
/// the constructor, Flush or Dispose instead; <c>fail_in=flush</c> makes Flush fail with a PluginException (an expected
/// failure: NP_ERR_PLUGIN, not a panic). A record <c>sleep</c> makes Process wait 400 ms (to provoke overlapping calls).
/// Every Flush that runs logs "flush ran", so tests can tell whether plugin code ran.
/// <para><c>throw_kind</c> picks what is thrown where <c>throw_in</c> says (every kind from every export, for the
/// boundary tests): <c>bug</c> (the default: InvalidOperationException), <c>plugin</c> (PluginException.Failure,
/// NP_ERR_PLUGIN, detail code 7), <c>input_at</c> (PluginException.InputAt with the record's index; index 0 outside
/// Process), <c>panic_status</c> (a PluginException carrying NP_ERR_PANIC), <c>oom</c> (OutOfMemoryException),
/// <c>bad_message</c> (an exception whose Message throws an OutOfMemoryException: formatting the error fails) and
/// <c>bad_plugin_message</c> (the same for a PluginException with NP_ERR_PLUGIN) and <c>silent</c> (a PluginException
/// with NP_ERR_PLUGIN and an empty message).</para>
/// </summary>
[NativePlugin("org.nativeplugins.cs.test.throwing", Name = "Throwing test plugin", Version = "0.1.0",
    Description = "Throws on a trigger record (test fixture)", Vendor = "NativePlugins")]
public sealed class ThrowingPlugin : TransformPlugin
{
    private static readonly string[] s_kinds =
        ["bug", "plugin", "input_at", "panic_status", "oom", "bad_message", "bad_plugin_message", "silent"];

    private readonly byte[] _trigger;
    private readonly byte[] _reject;
    private readonly string _throwIn;
    private readonly string _throwKind;
    private readonly bool _failInFlush;
    private readonly PluginHost _host;

    public ThrowingPlugin(PluginConfig config, PluginHost host)
    {
        _host = host;
        _failInFlush = config.GetString("fail_in", "") == "flush";
        _trigger = Encoding.UTF8.GetBytes(config.GetString("trigger", "throw"));
        _reject = Encoding.UTF8.GetBytes(config.GetString("reject", "reject"));
        _throwIn = config.GetString("throw_in", "process");
        _throwKind = config.GetString("throw_kind", "bug");
        if (_throwIn is not ("process" or "create" or "flush" or "destroy"))
            throw PluginException.Config($"throw_in must be process, create, flush or destroy, got '{_throwIn}'");
        if (Array.IndexOf(s_kinds, _throwKind) < 0)
            throw PluginException.Config($"throw_kind must be one of {string.Join(", ", s_kinds)}, got '{_throwKind}'");
        if (_throwIn == "create")
            throw Failure("the constructor", -1);
    }

    public override void Process(RecordBatch batch, Emitter output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            ReadOnlySpan<byte> record = batch[i];
            if (record.SequenceEqual(_trigger))
                throw _throwKind == "bug"
                    ? new InvalidOperationException($"throwing plugin: triggered by record {i}")
                    : Failure("Process", i);
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
            throw Failure("Flush", -1);
    }

    public override void Dispose()
    {
        if (_throwIn == "destroy")
            throw Failure("Dispose", -1);
        base.Dispose();
    }

    /// <summary>The exception of <c>throw_kind</c>, thrown from <paramref name="where"/> (record
    /// <paramref name="index"/> of the batch in Process, -1 elsewhere).</summary>
    private Exception Failure(string where, int index)
    {
        string message = $"throwing plugin: thrown from {where} as configured";
        return _throwKind switch
        {
            "plugin" => PluginException.Failure(message, detailCode: 7),
            "input_at" => PluginException.InputAt(Math.Max(index, 0), message),
            "panic_status" => new PluginException(NpAbi.NP_ERR_PANIC, message),
            "oom" => new OutOfMemoryException(message),
            "bad_message" => new HostileException(),
            "bad_plugin_message" => new HostilePluginException(),
            "silent" => new PluginException(NpAbi.NP_ERR_PLUGIN, ""),
            _ => new InvalidOperationException(message),
        };
    }
}

/// <summary>An exception whose Message (and so ToString) throws, as if formatting it ran out of memory.</summary>
public sealed class HostileException : Exception
{
    public override string Message => throw new OutOfMemoryException("throwing plugin: Message threw");
}

/// <summary>A plugin error (NP_ERR_PLUGIN) whose Message throws.</summary>
public sealed class HostilePluginException() : PluginException(NpAbi.NP_ERR_PLUGIN, "never read", detailCode: 9)
{
    public override string Message => throw new OutOfMemoryException("throwing plugin: Message threw");
}
