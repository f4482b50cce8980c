using System.Runtime.InteropServices;
using Acme.Greeter;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting;

namespace NativePlugins.Host.Tests.Interfaces;

/// <summary>The acme.greeter/1 test libraries (native/tests/test-plugins/greeter.c and greeter_broken.c) and hosts
/// that register the interface.</summary>
public static class Greeters
{
    public const string Greeter = "com.example.greeter";
    public const string Old = "com.example.greeter.old";
    public const string Newer = "com.example.greeter.newer";
    public const string Other = "com.example.greeter.other";
    public const string Broken = "com.example.greeter.broken";

    /// <summary>The fingerprints greeter.c gives (native/tests/test-plugins/greeter_layout.h).</summary>
    public const ulong Fingerprint10 = 0xdfca81c522a540c1, Fingerprint11 = 0x9296be33c884492b;

    public static string TestPluginDir => Path.Combine(RepoLayout.BuildDir, "test-plugins");

    /// <summary>libnp_test_greeter.so: the good plugins.</summary>
    public static string Library => RepoLayout.Existing(Path.Combine(TestPluginDir, "libnp_test_greeter.so"));

    /// <summary>libnp_test_greeter_&lt;what&gt;.so: a broken variant.</summary>
    public static string BrokenLibrary(string what) =>
        RepoLayout.Existing(Path.Combine(TestPluginDir, $"libnp_test_greeter_{what}.so"));

    /// <summary>A host that registered acme.greeter/1 (or, with <paramref name="register"/> false, nothing).</summary>
    public static PluginHost Host(bool register = true, ILoggerFactory? logging = null) => new(new PluginHostOptions
    {
        UseEnvironmentSearchPath = false,
        LoggerFactory = logging,
        Interfaces = register ? [AcmeGreeterV1.Contract] : [],
    });
}

/// <summary>
/// np_test_greeter_probe of libnp_test_greeter.so (creates, destroys, deinit runs, instances alive at deinit). The
/// test maps the library itself, so that it stays mapped when a host unloads it and the probe can still be read.
/// </summary>
public sealed unsafe class GreeterProbe : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Counters
    {
        public uint Creates, Destroys, DeinitRuns, LiveAtDeinit;
    }

    private readonly nint _handle;
    private readonly Counters* _counters;

    public GreeterProbe()
    {
        _handle = NativeLibrary.Load(Greeters.Library);
        _counters = (Counters*)NativeLibrary.GetExport(_handle, "np_test_greeter_probe");
    }

    public Counters Now => *_counters;

    public void Dispose() => NativeLibrary.Free(_handle);
}

/// <summary>The greeter tests share the probe's global counters: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GreeterCollection
{
    public const string Name = "acme.greeter/1";
}
