using Acme.Codec;
using Acme.Greeter;
using NativePlugins.Host.Tests.Interfaces;
using NativePlugins.Hosting;
using NativePlugins.Interop;
using static NativePlugins.Host.Tests.Isolation.IsolatedHosts;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>
/// A host's own interface (acme.greeter/1, its bindgen wrapper and proxy: Greeter.Host.g.cs, Greeter.Proxy.g.cs) with
/// the library in a worker process: the same results and typed errors as in-process, one request per call whatever
/// its arguments, and the faults of a call (segfault, hang, a broken rule) as PluginCrashedException /
/// PluginTimeoutException / a protocol violation, the instance recreated under the restart policy.
/// </summary>
[Collection(GreeterCollection.Name)]
public class IsolatedInterfaceTests
{
    private const string Faults = "com.example.greeter.faults";

    private static string FaultsLibrary => Greeters.BrokenLibrary("faults");

    private static PluginHost Host(PluginIsolation isolation, IsolationOptions? options = null) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        Interfaces = [AcmeGreeterV1.Contract],
        Isolation = isolation,
        IsolationOptions = options ?? Options(),
    });

    /// <summary>Every kind of argument and result the proxy carries, and the typed errors, as a transcript.</summary>
    private static List<string> Transcript(PluginIsolation isolation)
    {
        var lines = new List<string>();
        using var host = Host(isolation);
        var library = host.Load(Greeters.Library);
        Assert.Equal(isolation, library.Isolation);
        using (var greeter = library.Create<AcmeGreeterV1>(Greeters.Greeter, "greeting=Hi"))
        {
            lines.Add(greeter.Greet("world"));
            lines.Add(greeter.Greet(""));
            lines.Add(greeter.Greet("Zoë 👋"));
            foreach (int n in new[] { 250, 256, 5000, 200_000 }) // past the caller's stack buffer and the worker's first memfd
                lines.Add(greeter.Greet(new string('x', n)).Length.ToString());
            lines.Add(greeter.Add(2, 3).ToString());
            lines.Add(greeter.Add(long.MaxValue, long.MinValue).ToString());
            lines.Add($"{greeter.HasCount} {greeter.Count()} {greeter.Interface.Minor} restarts={greeter.RestartCount}");
            var e = Assert.Throws<PluginCallException>(() => greeter.Add(long.MaxValue, 1));
            lines.Add($"{e.Operation} {e.StatusName} {e.PluginId} {e.PluginMessage} {Path.GetFileName(e.FilePath)}");
            lines.Add(greeter.Add(1, 2).ToString()); // an ordinary failure leaves the instance usable
            var panic = Assert.Throws<PluginCallException>(() => greeter.Greet("!panic"));
            lines.Add($"{panic.StatusName} {panic.PluginMessage} poisoned={greeter.IsPoisoned}");
            var refused = Assert.Throws<PluginCallException>(() => greeter.Add(1, 1));
            lines.Add($"{refused.StatusName} {refused.PluginMessage}");
        }
        using (var old = library.Create<AcmeGreeterV1>(Greeters.Old))
        {
            lines.Add($"old: {old.Greet("you")} HasCount={old.HasCount} {old.Interface.Minor}");
            lines.Add(Assert.Throws<NotSupportedException>(() => old.Count()).Message);
        }
        var config = Assert.Throws<PluginCallException>(() => library.Create<AcmeGreeterV1>(Greeters.Greeter, "colour=red"));
        lines.Add($"{config.Operation} {config.StatusName} {config.PluginMessage}");
        return lines;
    }

    [Fact]
    public void Calls_in_a_worker_give_the_same_results_and_errors_as_in_process()
    {
        var inProcess = Transcript(PluginIsolation.InProcess);
        Assert.Equal("Hi, world!", inProcess[0]);
        Assert.Equal(inProcess, Transcript(PluginIsolation.ProcessPerLibrary));
        Assert.Equal(inProcess, Transcript(PluginIsolation.ProcessPerInstance));
    }

    /// <summary>acme.codec/1 (native/tests/test-plugins/codec): np_bytes_t in, bytes out, integers of every width, a
    /// narrow return value and a void function.</summary>
    private static List<string> CodecTranscript(PluginIsolation isolation)
    {
        var lines = new List<string>();
        using var host = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            Interfaces = [AcmeCodecV1.Contract],
            Isolation = isolation,
            IsolationOptions = Options(),
        });
        var file = RepoLayout.Existing(Path.Combine(Greeters.TestPluginDir, "libnp_test_codec.so"));
        using var codec = host.Load(file).Create<AcmeCodecV1>("com.example.codec", "base=1000");
        byte[] data = [0, 1, 2, 0x7f, 0x80, 0xff];
        lines.Add(Convert.ToHexString(codec.XorBytes(data, 0x5a, 3)));
        lines.Add(Convert.ToHexString(codec.XorBytes([], 0x01, 9)));
        var big = new byte[300_000];
        new Random(7).NextBytes(big);
        var xored = codec.XorBytes(big, 0xa5, 2);
        lines.Add($"{xored.Length} {xored.Take(300_000).Select((b, i) => (byte)(b ^ 0xa5) == big[i]).All(x => x)}");
        lines.Add(codec.Mix(sbyte.MinValue, short.MaxValue, int.MinValue, uint.MaxValue).ToString());
        lines.Add(codec.Mix(-1, -1, -1, 0).ToString());
        lines.Add($"{codec.Sign(long.MinValue)} {codec.Sign(0)} {codec.Sign(long.MaxValue)}");
        lines.Add(codec.Seen().ToString());
        codec.Reset();
        lines.Add(codec.Seen().ToString());
        var e = Assert.Throws<PluginCallException>(() => codec.XorBytes(data, 7, 0));
        lines.Add($"{e.Operation} {e.StatusName} {e.PluginMessage}");
        return lines;
    }

    [Fact]
    public void Byte_buffers_and_integers_of_every_width_cross_the_worker_unchanged()
    {
        var inProcess = CodecTranscript(PluginIsolation.InProcess);
        Assert.Equal("5A5B5825DAA55A5B5825DAA55A5B5825DAA5", inProcess[0]);
        Assert.Equal("-6446644119", inProcess[3]); // 1000 + -128 * 32767 + int.MinValue - uint.MaxValue
        Assert.Equal(inProcess, CodecTranscript(PluginIsolation.ProcessPerLibrary));
    }

    [Fact]
    public void Instances_of_one_library_share_its_worker_and_keep_their_own_state()
    {
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        var library = host.Load(Greeters.Library);
        using var a = library.Create<AcmeGreeterV1>(Greeters.Greeter, "greeting=A");
        using var b = library.Create<AcmeGreeterV1>(Greeters.Greeter, "greeting=B");
        Assert.Equal("A, x!", a.Greet("x"));
        Assert.Equal("B, y!", b.Greet("y"));
        Assert.Equal("A, z!", a.Greet("z"));
        Assert.Equal((2ul, 1ul), (a.Count(), b.Count()));
        Assert.Equal(a.Isolated!.WorkerPid, b.Isolated!.WorkerPid);
        Assert.NotEqual(Environment.ProcessId, a.Isolated.WorkerPid);
    }

    [Fact]
    public void A_segfault_in_a_call_is_a_typed_crash_and_the_next_call_recreates_the_instance()
    {
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        var file = FaultsLibrary;
        using var greeter = host.Load(file).Create<AcmeGreeterV1>(Faults);
        Assert.Equal("Hello, a!", greeter.Greet("a"));
        Assert.Equal(1ul, greeter.Count());
        int firstWorker = greeter.Isolated!.WorkerPid;

        var e = Assert.Throws<PluginCrashedException>(() => greeter.Greet("!segv"));
        Assert.Equal(11, e.Signal);
        Assert.Equal("SIGSEGV", e.SignalName);
        Assert.Equal("greet", e.Operation);
        Assert.Equal(Faults, e.PluginId);
        Assert.Equal(file, e.FilePath);
        Assert.StartsWith($"{file}: plugin '{Faults}': greet crashed the worker process: killed by SIGSEGV (signal 11)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(e.RestartLimitReached);
        Assert.False(greeter.IsPoisoned);

        // The next call recreates the instance with its config in a new worker: a fresh instance (count 0).
        Assert.Equal(5, greeter.Add(2, 3));
        Assert.Equal(0ul, greeter.Count());
        Assert.Equal("Hello, b!", greeter.Greet("b"));
        Assert.Equal(1, greeter.RestartCount);
        Assert.NotEqual(firstWorker, greeter.Isolated.WorkerPid);
    }

    [Fact]
    public void A_crash_in_create_is_a_typed_crash_of_create_and_the_library_stays_usable()
    {
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        var library = host.Load(FaultsLibrary);
        var e = Assert.Throws<PluginCrashedException>(() => library.Create<AcmeGreeterV1>(Faults, "!segv"));
        Assert.Equal("create", e.Operation);
        Assert.Equal("SIGSEGV", e.SignalName);
        Assert.Equal(Faults, e.PluginId);
        using var greeter = library.Create<AcmeGreeterV1>(Faults);
        Assert.Equal("Hello, c!", greeter.Greet("c"));
    }

    [Fact]
    public void A_hang_in_a_call_is_a_timeout_and_the_instance_restarts()
    {
        var options = Options() with { CallTimeout = TimeSpan.FromMilliseconds(500) };
        using var host = Host(PluginIsolation.ProcessPerInstance, options);
        using var greeter = host.Load(FaultsLibrary).Create<AcmeGreeterV1>(Faults);
        var e = Assert.Throws<PluginTimeoutException>(() => greeter.Greet("!hang"));
        Assert.Equal("greet", e.Operation);
        Assert.Equal(Faults, e.PluginId);
        Assert.Equal(TimeSpan.FromMilliseconds(500), e.Deadline);
        Assert.IsAssignableFrom<PluginCrashedException>(e);
        Assert.Equal("Hello, again!", greeter.Greet("again"));
        Assert.Equal(1, greeter.RestartCount);
    }

    [Fact]
    public void After_the_policys_restarts_the_instance_gives_up_and_repeats_the_fault()
    {
        var options = Options(new RestartPolicy { InitialBackoff = TimeSpan.Zero, MaxConsecutiveRestarts = 1 });
        using var host = Host(PluginIsolation.ProcessPerLibrary, options);
        using var greeter = host.Load(FaultsLibrary).Create<AcmeGreeterV1>(Faults);
        Assert.False(Assert.Throws<PluginCrashedException>(() => greeter.Greet("!segv")).RestartLimitReached);
        Assert.True(Assert.Throws<PluginCrashedException>(() => greeter.Greet("!segv")).RestartLimitReached);
        var again = Assert.Throws<PluginCrashedException>(() => greeter.Add(1, 1));
        Assert.True(again.RestartLimitReached);
        Assert.Equal("add", again.Operation);
    }

    [Fact]
    public void An_output_overrun_in_the_worker_is_a_protocol_violation_and_poisons_the_instance()
    {
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        using var greeter = host.Load(FaultsLibrary).Create<AcmeGreeterV1>(Faults);
        var e = Assert.Throws<PluginCallException>(() => greeter.Greet("!overrun"));
        Assert.True(e.IsProtocolViolation);
        Assert.Equal("greet", e.Operation);
        Assert.Contains("wrote past the end of its np_out_bytes_t buffer", e.PluginMessage);
        var refused = Assert.Throws<PluginCallException>(() => greeter.Greet("x"));
        Assert.Equal(NpAbi.NP_ERR_STATE, refused.Status);
        Assert.Contains("poisoned", refused.PluginMessage);
    }

    [Theory]
    [InlineData("null_function", "acme.greeter/1.greet is NULL or beyond its struct_size 48")]
    public void A_vtable_without_a_required_function_is_refused_at_create_naming_it(string broken, string why)
    {
        // In-process this library is refused at load (the host reads the vtable there); in a worker the functions are
        // read when the first instance is created, and create is refused with the same facts. (A struct_size or layout
        // refusal needs no vtable: IsolatedInterfaceLoadTests, at load as in process.)
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        var file = Greeters.BrokenLibrary(broken);
        var library = host.Load(file);
        var e = Assert.Throws<PluginCallException>(() => library.Create<AcmeGreeterV1>(Greeters.Broken));
        Assert.Equal("create", e.Operation);
        Assert.Equal(Greeters.Broken, e.PluginId);
        Assert.Equal(file, e.FilePath);
        Assert.Equal(why, e.PluginMessage);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_raw_vtable_of_an_isolated_library_is_refused_with_a_clear_message()
    {
        using var host = Host(PluginIsolation.ProcessPerLibrary);
        var library = host.Load(Greeters.Library);
        var e = Assert.Throws<NotSupportedException>(() => library.GetInterface(Greeters.Greeter, AcmeGreeterV1.Contract));
        Assert.Contains("loaded in a worker", e.Message);
        Assert.Contains(Greeters.Greeter, e.Message);
    }
}
