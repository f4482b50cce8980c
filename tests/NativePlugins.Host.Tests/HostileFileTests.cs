using System.Buffers.Binary;
using System.Diagnostics;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.TestSupport;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>Files dlopen would crash or hang on (truncated or damaged ELF, a FIFO, a device) are refused before
/// dlopen with a typed reason, and the process survives to say so (issue 15). Without the check, a truncated
/// library dies of SIGBUS inside dlopen and the test process with it; a FIFO blocks the test forever, which is why
/// those tests run the load with a deadline.</summary>
public class HostileFileTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static T WithinDeadline<T>(Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(Deadline), $"the load did not return within {Deadline.TotalSeconds} s: it blocks");
        return task.Result;
    }

    private static PluginLoadException Refused(string path)
    {
        using var host = Create();
        var e = WithinDeadline(() => Assert.Throws<PluginLoadException>(() => host.Load(path)));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": " + e.Reason + ": ", e.Message);
        AssertStillWorks(host);
        return e;
    }

    private static void MakeFifo(string path)
    {
        using var p = System.Diagnostics.Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Theory]
    [InlineData(3000)]
    [InlineData(-2)] // half of the file
    public void A_truncated_copy_of_a_real_plugin_is_malformed(int length)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(NativeArtifacts.CCounter);
        var path = dir.File("libcut.so");
        File.WriteAllBytes(path, bytes[..(length > 0 ? length : bytes.Length / 2)]);
        var e = Refused(path);
        Assert.Equal(PluginLoadError.MalformedLibrary, e.Reason);
        Assert.Contains("past the end of the file", e.Detail);
        Assert.Contains("PT_LOAD", e.Detail);
    }

    [Fact]
    public void A_file_shorter_than_the_ELF_header_is_malformed()
    {
        using var dir = new TempDirectory();
        var path = dir.File("libtiny.so");
        File.WriteAllBytes(path, File.ReadAllBytes(NativeArtifacts.CCounter)[..40]);
        Assert.Equal(PluginLoadError.MalformedLibrary, Refused(path).Reason);
    }

    private static PluginLoadException Patched(Action<byte[]> patch)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(NativeArtifacts.CCounter);
        patch(bytes);
        var path = dir.File("libpatched.so");
        File.WriteAllBytes(path, bytes);
        return Refused(path);
    }

    [Fact]
    public void A_program_header_table_past_the_end_is_malformed()
    {
        var e = Patched(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), (ulong)b.Length - 8)); // e_phoff
        Assert.Equal(PluginLoadError.MalformedLibrary, e.Reason);
        Assert.Contains("program header table", e.Detail);
    }

    [Fact]
    public void An_absurd_program_header_offset_does_not_overflow()
    {
        var e = Patched(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), ulong.MaxValue - 10));
        Assert.Equal(PluginLoadError.MalformedLibrary, e.Reason);
    }

    [Fact]
    public void A_wrong_program_header_entry_size_is_malformed()
    {
        var e = Patched(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(54), 40)); // e_phentsize
        Assert.Equal(PluginLoadError.MalformedLibrary, e.Reason);
        Assert.Contains("e_phentsize", e.Detail);
    }

    [Fact]
    public void A_big_endian_header_is_named_as_big_endian()
    {
        // EI_DATA = 2 and the header fields written in that order: a consistent big-endian header.
        var e = Patched(b =>
        {
            b[5] = 2;
            (b[16], b[17]) = (b[17], b[16]); // e_type
            (b[18], b[19]) = (b[19], b[18]); // e_machine
        });
        Assert.Equal(PluginLoadError.WrongArchitecture, e.Reason);
        Assert.Contains("big-endian", e.Detail);
        Assert.DoesNotContain("type 768", e.Detail);
    }

    [Fact]
    public void A_FIFO_is_refused_without_blocking()
    {
        using var dir = new TempDirectory();
        var path = dir.File("libpipe.so");
        MakeFifo(path);
        var e = Refused(path);
        Assert.Equal(PluginLoadError.NotARegularFile, e.Reason);
        Assert.Contains("FIFO", e.Detail);
    }

    [Fact]
    public void A_device_is_not_a_regular_file()
    {
        var e = Refused("/dev/null");
        Assert.Equal(PluginLoadError.NotARegularFile, e.Reason);
        Assert.Contains("character device", e.Detail);
    }

    [Fact]
    public void A_scan_with_a_FIFO_and_a_truncated_file_still_loads_the_good_library()
    {
        using var dir = new TempDirectory();
        dir.Copy(NativeArtifacts.CCounter, "libgood.so");
        File.WriteAllBytes(dir.File("libcut.so"), File.ReadAllBytes(NativeArtifacts.CCounter)[..3000]);
        MakeFifo(dir.File("libpipe.so"));
        using var host = Create();
        var result = WithinDeadline(() => host.LoadDirectories([dir.Path]));
        Assert.Equal([dir.File("libgood.so")], result.Libraries.Select(l => l.FilePath));
        Assert.Equal(
            [(dir.File("libcut.so"), PluginLoadError.MalformedLibrary), (dir.File("libpipe.so"), PluginLoadError.NotARegularFile)],
            result.Errors.Select(e => (e.FilePath, e.Reason)));
        AssertStillWorks(host);
    }

    [Fact]
    public void Nplug_list_of_a_folder_with_a_FIFO_and_a_truncated_file_lists_the_good_library()
    {
        using var dir = new TempDirectory();
        dir.Copy(NativeArtifacts.CCounter);
        File.WriteAllBytes(dir.File("libcut.so"), File.ReadAllBytes(NativeArtifacts.CCounter)[..3000]);
        MakeFifo(dir.File("libpipe.so"));
        var error = new StringWriter();
        using var output = new MemoryStream();
        int exit = WithinDeadline(() =>
        {
            using var console = new NativePlugins.Cli.Infrastructure.CliConsole(new MemoryStream(), output, error);
            return NativePlugins.Cli.NplugCli.Run(["list", "--no-default-path", dir.Path], console);
        });
        Assert.Equal(NativePlugins.Cli.ExitCodes.PluginError, exit);
        Assert.Contains(Counter, System.Text.Encoding.UTF8.GetString(output.ToArray()));
        var lines = error.ToString().Split('\n');
        Assert.Contains("MalformedLibrary", Assert.Single(lines, l => l.Contains("libcut.so")));
        Assert.Contains("NotARegularFile", Assert.Single(lines, l => l.Contains("libpipe.so")));
    }
}
