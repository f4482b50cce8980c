using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Loading;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>Files that are not loadable libraries for this process get a precise reason before dlopen (the damaged
/// and non-regular ones: <see cref="HostileFileTests"/>).</summary>
public class LibraryProbeTests
{
    private static PluginLoadException LoadPatched(Action<byte[]> patch, int? truncateTo = null)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(NativeArtifacts.CCounter);
        patch(bytes);
        var path = dir.File("libpatched.so");
        File.WriteAllBytes(path, truncateTo is { } n ? bytes[..n] : bytes);
        using var host = Create();
        var e = Assert.Throws<PluginLoadException>(() => host.Load(path));
        Assert.Equal(path, e.FilePath);
        AssertStillWorks(host);
        return e;
    }

    [Fact]
    public void A_32_bit_library_is_the_wrong_architecture() =>
        Assert.Equal(PluginLoadError.WrongArchitecture, LoadPatched(b => b[4] = 1).Reason);

    [Fact]
    public void A_library_for_another_machine_is_the_wrong_architecture()
    {
        var e = LoadPatched(b => { b[18] = 183; b[19] = 0; }); // EM_AARCH64 (or x86-64 on an arm64 machine)
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64)
            Assert.Equal(PluginLoadError.LoadFailed, e.Reason); // patched to its own machine: fails later, in dlopen
        else
            Assert.Equal(PluginLoadError.WrongArchitecture, e.Reason);
    }

    [Fact]
    public void An_object_file_is_not_a_library() =>
        Assert.Equal(PluginLoadError.NotALibrary, LoadPatched(b => { b[16] = 1; b[17] = 0; }).Reason); // ET_REL

    [Fact]
    public void A_missing_file_is_FileNotFound()
    {
        using var host = Create();
        var e = Assert.Throws<PluginLoadException>(() => host.Load("/nonexistent/libnothing.so"));
        Assert.Equal(PluginLoadError.FileNotFound, e.Reason);
    }

    /// <summary>Broken files, by how to make them, and the reason each must get.</summary>
    public static TheoryData<string, PluginLoadError> BrokenFiles => new()
    {
        { "empty", PluginLoadError.EmptyFile },
        { "text", PluginLoadError.NotALibrary },
        { "32-bit", PluginLoadError.WrongArchitecture },
        { "object file", PluginLoadError.NotALibrary },
        { "executable", PluginLoadError.NotALibrary },
        { "truncated", PluginLoadError.MalformedLibrary },
        { "missing", PluginLoadError.FileNotFound },
        { "directory", PluginLoadError.NotARegularFile },
    };

    private static string MakeBroken(TempDirectory dir, string kind)
    {
        var path = dir.File("libbroken.so");
        var bytes = File.ReadAllBytes(NativeArtifacts.CCounter);
        switch (kind)
        {
            case "empty": File.WriteAllBytes(path, []); break;
            case "text": File.WriteAllText(path, "INPUT(-lc)\n"); break;
            case "32-bit": bytes[4] = 1; File.WriteAllBytes(path, bytes); break;
            case "object file": bytes[16] = 1; bytes[17] = 0; File.WriteAllBytes(path, bytes); break; // ET_REL
            case "executable": bytes[16] = 2; bytes[17] = 0; File.WriteAllBytes(path, bytes); break;  // ET_EXEC
            case "truncated": File.WriteAllBytes(path, bytes[..256]); break;
            case "missing": break;
            case "directory": Directory.CreateDirectory(path); break;
            default: throw new ArgumentException(kind);
        }
        return path;
    }

    /// <summary>Every broken file gets its typed reason from the check before dlopen, whatever the platform's
    /// loader would do with it, and nothing is left loaded.</summary>
    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void The_probe_names_the_reason_before_dlopen(string kind, PluginLoadError reason)
    {
        using var dir = new TempDirectory();
        var path = MakeBroken(dir, kind);
        var e = Assert.Throws<PluginLoadException>(() =>
            LibraryLoader.Open(path, AbiVersion.Current, (_, _) => true, null, LoadGate.None));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
    }
}
