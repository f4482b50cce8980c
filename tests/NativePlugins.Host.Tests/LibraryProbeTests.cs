using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;

namespace NativePlugins.Host.Tests;

/// <summary>Files that are not loadable libraries for this process get a precise reason before dlopen.</summary>
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
    public void A_truncated_library_is_refused_by_the_loader_with_its_message()
    {
        var e = LoadPatched(_ => { }, truncateTo: 256);
        Assert.Equal(PluginLoadError.LoadFailed, e.Reason);
        Assert.False(string.IsNullOrWhiteSpace(e.Detail));
    }

    [Fact]
    public void A_missing_file_is_FileNotFound()
    {
        using var host = Create();
        var e = Assert.Throws<PluginLoadException>(() => host.Load("/nonexistent/libnothing.so"));
        Assert.Equal(PluginLoadError.FileNotFound, e.Reason);
    }
}
