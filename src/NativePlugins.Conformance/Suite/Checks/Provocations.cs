using System.Text;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>
/// Calls that a conforming plugin answers with a failing status without being broken by them: a malformed config,
/// a record that is not UTF-8, an emitter whose reserve fails, and the user's documented panic record. The error and
/// panic checks run them with the buffers they want to watch. None passes a NULL argument, so that a plugin that
/// crashes on NULLs fails input.null-arguments only.
/// </summary>
internal static unsafe class Provocations
{
    /// <summary>One provoked call: what it was and the status it returned.</summary>
    public sealed record Result(string What, int Status);

    /// <summary>Runs every provocation; <paramref name="error"/> makes the error buffer for each call (null for
    /// error = NULL); <paramref name="inspect"/> sees each call's status with its buffer before it is freed.</summary>
    public static List<Result> Run(CheckContext c, Func<ErrorBuffer?> error, Action<Result, ErrorBuffer?> inspect)
    {
        var plugin = c.Plugin;
        var results = new List<Result>();

        void Create(string what, byte[] config)
        {
            using var host = new TestHost("instance", plugin.Library.AgreedMinor);
            using var buffer = error();
            np_instance_t* instance = null;
            c.Phase($"create with {what}");
            var status = plugin.Api.Create(host.Table, config, &instance, buffer is null ? null : buffer.Ptr);
            if (status == NpAbi.NP_OK && instance != null) plugin.Api.Destroy(instance);
            var r = new Result($"create with {what}", status);
            results.Add(r);
            inspect(r, buffer);
        }

        // A key with non-ASCII characters: a message that quotes it has multi-byte characters to truncate.
        Create("an unknown key", Encoding.UTF8.GetBytes("nplug-check-schlüssel-ключ=1"));
        Create("a config that is not UTF-8", [0x6B, 0x3D, 0xFF, 0xFE, 0xC0]);

        void Process(string what, IReadOnlyList<byte[]> records, EmitterOptions? emitter, bool flushAfter)
        {
            using var s = c.OpenSession();
            using var batch = NativeBatch.From(records);
            using var buffer = error();
            if (!flushAfter)
            {
                using var e = new TestEmitter(emitter);
                c.Phase($"process {what}");
                e.Arm();
                var status = plugin.Api.Process(s.Instance, batch.Ptr, e.Ptr, buffer is null ? null : buffer.Ptr);
                e.Close();
                var r = new Result($"process {what}", status);
                results.Add(r);
                inspect(r, buffer);
            }
            else
            {
                using var roomy = new TestEmitter();
                using var ignored = new ErrorBuffer();
                c.Phase("process the sample (before a flush whose reserve fails)");
                plugin.Api.Process(s.Instance, batch.Ptr, roomy.Ptr, ignored.Ptr);
                using var e = new TestEmitter(emitter);
                c.Phase($"flush {what}");
                e.Arm();
                var status = plugin.Api.Flush(s.Instance, e.Ptr, buffer is null ? null : buffer.Ptr);
                e.Close();
                var r = new Result($"flush {what}", status);
                results.Add(r);
                inspect(r, buffer);
            }
        }

        Process("a record that is not UTF-8", [Encoding.UTF8.GetBytes("fine"), [0xC3, 0x28, 0xFF]], null, false);
        var failing = EmitterOptions.Tiny with { FailReserveAfter = 0 };
        Process("the sample into an emitter whose reserve fails", c.AllRecords, failing, false);
        Process("into an emitter whose reserve fails", c.AllRecords, failing, true);
        if (c.Settings.PanicRecord is { } panic)
            Process("the documented panic record", [Encoding.UTF8.GetBytes(panic)], null, false);
        HostCallGuard.Drain();
        return results;
    }
}
