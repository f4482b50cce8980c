using System.Text;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>
/// Guarantee S1 as a matrix: every kind of exception (a PluginException of a plugin status, one carrying NP_ERR_PANIC,
/// an ordinary exception, an OutOfMemoryException, and exceptions whose Message throws, so that formatting the error
/// fails) thrown from every plugin entry (the constructor under create, Process, Flush, Dispose under destroy)
/// returns the right status, message and detail code, poisons exactly when rule P7 says, and never crashes the
/// process: through the real libraries in both modes, where an exception escaping an [UnmanagedCallersOnly] export
/// would abort this test run. The throwing fixture's throw_kind option picks the exception.
/// </summary>
public sealed unsafe class ExportBoundaryMatrixTests
{
    private const string Throwing = "org.nativeplugins.cs.test.throwing";

    private static readonly string[] s_kinds =
        ["bug", "plugin", "input_at", "panic_status", "oom", "bad_message", "bad_plugin_message"];

    public static TheoryData<string, string> ModesAndKinds()
    {
        var data = new TheoryData<string, string>();
        foreach (string mode in new[] { "aot", "hosted" })
        {
            foreach (string kind in s_kinds)
                data.Add(mode, kind);
        }
        return data;
    }

    /// <summary>What a call that threw <paramref name="kind"/> from <paramref name="where"/> must return. Process
    /// throws on record 1 of its batch.</summary>
    private static Expected Expect(string kind, string call)
    {
        string where = call switch { "create" => "the constructor", "process" => "Process", _ => "Flush" };
        string message = $"throwing plugin: thrown from {where} as configured";
        return kind switch
        {
            "bug" => Expected.Panic("unhandled System.InvalidOperationException: " +
                                    (call == "process" ? "throwing plugin: triggered by record 1" : message)),
            "plugin" => new(NpAbi.NP_ERR_PLUGIN, message, 7, Poisons: false, Logged: false),
            "input_at" => new(NpAbi.NP_ERR_INPUT, message, call == "process" ? 2 : 1, Poisons: false, Logged: false),
            // Create reports a plugin status as it is (no instance to poison); process and flush treat NP_ERR_PANIC
            // from plugin code as a panic (S2).
            "panic_status" => call == "create"
                ? new(NpAbi.NP_ERR_PANIC, message, 0, Poisons: false, Logged: false)
                : Expected.Panic("unhandled NativePlugins.PluginSdk.PluginException: " + message),
            "oom" => Expected.Panic("unhandled System.OutOfMemoryException: " + message),
            "bad_message" => Expected.Panic("unhandled NativePlugins.Plugins.Fixtures.HostileException (its Message threw)"),
            "bad_plugin_message" => new(NpAbi.NP_ERR_PLUGIN, "the plugin failed, and its message could not be formatted", 9,
                Poisons: false, Logged: false),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    private sealed record Expected(int Status, string Message, int Code, bool Poisons, bool Logged)
    {
        public static Expected Panic(string message) => new(NpAbi.NP_ERR_PANIC, message, 0, Poisons: true, Logged: true);
    }

    private static (RawLibrary Library, NativeTestHost Host) Open(string mode)
    {
        var host = new NativeTestHost();
        return (RawLibrary.Open(BuildLayout.Fixture(mode, "libnp_cs_throwing.so"), host), host);
    }

    private static void AssertFailure(Expected expected, int status, ErrorBuffer error)
    {
        Assert.Equal(expected.Status, status);
        Assert.Equal(expected.Message, error.ToString());
        Assert.Equal(expected.Code, error.Code);
    }

    /// <summary>The host's log has the exception (with its stack trace, or a fallback line when even the exception's
    /// text could not be built) exactly when the call panicked.</summary>
    private static void AssertLogged(bool logged, NativeTestHost host, string call, string kind)
    {
        var lines = host.LogLines.Where(l => l.Level == NpAbi.NP_LOG_ERROR && l.Message.StartsWith(call + ": ")).ToList();
        if (!logged)
        {
            Assert.Empty(lines);
            return;
        }
        string line = Assert.Single(lines).Message;
        if (kind is "bad_message" or "bad_plugin_message")
            Assert.Contains("(no stack trace: the exception could not be formatted)", line);
        else
            Assert.Contains("unhandled exception: ", line);
    }

    private static void AssertPoisoned(RawInstance instance)
    {
        using var input = NativeRecords.From("fine");
        using var output = new NativeRecords();
        var (status, message) = instance.Process(input, output);
        Assert.Equal(NpAbi.NP_ERR_STATE, status);
        Assert.Contains("poisoned", message);
        Assert.Equal(NpAbi.NP_ERR_STATE, instance.Flush(output).Status);
        Assert.Equal(NpAbi.NP_ERR_STATE, instance.Stats().Status);
        Assert.Empty(output.Strings());
    }

    private static void AssertUsable(RawInstance instance)
    {
        Assert.Equal(["again"], instance.Run("again"));
        Assert.Equal(NpAbi.NP_OK, instance.Stats().Status);
    }

    [Theory]
    [MemberData(nameof(ModesAndKinds))]
    public void Every_exception_from_the_constructor_fails_create_with_its_status(string mode, string kind)
    {
        var (library, host) = Open(mode);
        Expected expected = Expect(kind, "create");
        byte[] config = Encoding.UTF8.GetBytes($"throw_in=create;throw_kind={kind}");
        var error = new ErrorBuffer();
        np_instance_t* instance = (np_instance_t*)0x1;
        int status;
        fixed (byte* bytes = config)
            status = library.Transform(Throwing)->create(host.Table, new np_str_t { ptr = bytes, len = (ulong)config.Length },
                &instance, error.Pointer);

        AssertFailure(expected, status, error);
        Assert.True(instance is null, "a failed create sets *out_instance to NULL");
        AssertLogged(expected.Logged, host, "create", kind);
        using RawInstance next = library.Create(Throwing, "", host); // the library is fine
        AssertUsable(next);
    }

    [Theory]
    [MemberData(nameof(ModesAndKinds))]
    public void Every_exception_from_Process_is_its_status_and_poisons_only_when_it_is_a_panic(string mode, string kind)
    {
        var (library, host) = Open(mode);
        Expected expected = Expect(kind, "process");
        using RawInstance instance = library.Create(Throwing, $"throw_kind={kind}", host);
        using var input = NativeRecords.From("fine", "throw", "never seen");
        using var output = new NativeRecords();
        var error = new ErrorBuffer();

        int status = instance.VTable->process(instance.Handle, input.Batch, output.Emitter, error.Pointer);

        AssertFailure(expected, status, error);
        Assert.Equal(["fine"], output.Strings()); // what was emitted before the failure stays emitted
        AssertLogged(expected.Logged, host, "process", kind);
        if (expected.Poisons)
            AssertPoisoned(instance);
        else
            AssertUsable(instance);
    }

    [Theory]
    [MemberData(nameof(ModesAndKinds))]
    public void Every_exception_from_Flush_is_its_status_and_still_ends_the_stream(string mode, string kind)
    {
        var (library, host) = Open(mode);
        Expected expected = Expect(kind, "flush");
        using RawInstance instance = library.Create(Throwing, $"throw_in=flush;throw_kind={kind}", host);
        using var input = NativeRecords.From("x");
        using var output = new NativeRecords();
        Assert.Equal(NpAbi.NP_OK, instance.Process(input, output).Status); // open a stream (S4)
        var error = new ErrorBuffer();

        int status = instance.VTable->flush(instance.Handle, output.Emitter, error.Pointer);

        AssertFailure(expected, status, error);
        AssertLogged(expected.Logged, host, "flush", kind);
        if (expected.Poisons)
        {
            AssertPoisoned(instance);
            return;
        }
        // S5: the failed flush ended the stream: the next flush runs no plugin code, the next process starts anew.
        Assert.Equal(NpAbi.NP_OK, instance.Flush(output).Status);
        Assert.Equal(1, host.LogLines.Count(l => l.Message.Contains("flush ran")));
        Assert.Equal(NpAbi.NP_OK, instance.Process(input, output).Status);
        Assert.Equal(["x", "x"], output.Strings());
    }

    [Theory]
    [MemberData(nameof(ModesAndKinds))]
    public void Every_exception_from_Dispose_is_logged_and_destroy_returns(string mode, string kind)
    {
        var (library, host) = Open(mode);
        RawInstance instance = library.Create(Throwing, $"throw_in=destroy;throw_kind={kind}", host);
        Assert.Equal(["a"], instance.Run("a"));

        instance.Dispose(); // destroy returns nothing; it must return

        AssertLogged(true, host, "destroy", kind); // whatever Dispose threw: destroy has no status to return
        using RawInstance next = library.Create(Throwing, "", host);
        AssertUsable(next);
    }

    /// <summary>The boundary costs no allocation on the path that does not throw: the hosted library runs on this
    /// process's runtime, so this thread's allocation counter sees every managed byte that process and flush allocate
    /// (the NativeAOT library has a runtime of its own, out of sight). The fixture's Flush logs, and this test host's
    /// log callback allocates, so flush is measured where it runs no plugin code (S4: no stream open).</summary>
    [Fact]
    public void Process_and_flush_allocate_nothing_per_call()
    {
        var (library, host) = Open("hosted");
        using RawInstance instance = library.Create(Throwing, "", host);
        using var input = NativeRecords.From("a", "bc", "");
        using var output = new NativeRecords(initialBytes: 64, initialRecords: 8);
        var error = new ErrorBuffer();
        long Allocated(Action call)
        {
            for (int i = 0; i < 1000; i++)
                call(); // warm up (tiered compilation, first-call stubs)
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
                call();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Action process = () =>
        {
            output.Clear();
            int status = instance.VTable->process(instance.Handle, input.Batch, output.Emitter, error.Pointer);
            if (status != NpAbi.NP_OK)
                throw new InvalidOperationException($"process returned {status}: {error}");
        };
        Action flush = () =>
        {
            int status = instance.VTable->flush(instance.Handle, output.Emitter, error.Pointer);
            if (status != NpAbi.NP_OK)
                throw new InvalidOperationException($"flush returned {status}: {error}");
        };

        Assert.Equal(0, Allocated(process));
        Assert.Equal(NpAbi.NP_OK, instance.Flush(output).Status); // ends the stream (the plugin's Flush runs once)
        Assert.Equal(0, Allocated(flush));
        Assert.Equal(["a", "bc", ""], output.Strings());
    }
}
