using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>
/// Rule H3 after dlopen: a library's pointers into unmapped memory (descriptor, string, vtable, function, layout
/// report) are refused as <see cref="PluginLoadError.InvalidPointer"/> naming the field, and a library that cannot
/// bind a symbol is refused at dlopen (eager binding) naming the symbol; either way the process, which used to end
/// with an AccessViolation or a "symbol lookup error", keeps running. Every sample plugin still loads.
/// </summary>
public unsafe class PointerRejectionTests
{
    public static TheoryData<string, PluginLoadError, string?, string> Refused => new()
    {
        { "libnp_fixture_bad_library_pointer.so", PluginLoadError.InvalidPointer, null,
            "np_entry out_library (np_library_t*) is 0x1000, not in readable memory" },
        { "libnp_fixture_bad_id_pointer.so", PluginLoadError.InvalidPointer, null,
            "np_plugin_descriptor_t.id.ptr (plugins[0].id) is 0x1000, not in readable memory for the 30 bytes" },
        { "libnp_fixture_bad_vtable_pointer.so", PluginLoadError.InvalidPointer, "org.nativeplugins.fixture.bad-vtable-pointer",
            "np_interface_t.vtable (interfaces[0]) is 0x1000, not in readable memory" },
        { "libnp_fixture_bad_init_pointer.so", PluginLoadError.InvalidPointer, null,
            "np_library_t.init is 0x1000, not in executable memory" },
        { "libnp_fixture_bad_layout_report.so", PluginLoadError.InvalidPointer, null,
            "np_negotiation_t.layout_report is 0x1000, not in readable memory" },
        { "libnp_fixture_unresolved_symbol.so", PluginLoadError.LoadFailed, null,
            "undefined symbol: np_fixture_symbol_defined_nowhere" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_bad_pointer_or_an_unbindable_symbol_is_a_typed_refusal_and_the_host_keeps_working(
        string file, PluginLoadError reason, string? pluginId, string detail) =>
        RejectionTests.AssertRefusedAndHostKeepsWorking(file, reason, pluginId, detail);

    [Fact]
    public void Libraries_are_opened_with_eager_binding_on_linux()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(EagerBinding.IsEager);
        // The handle is an ordinary dlopen handle: NativeLibrary finds exports in it and frees it.
        Assert.True(EagerBinding.TryOpen(RepoLayout.Fixture("libnp_fixture_good.so"), out var h, out var error), error);
        Assert.True(NativeLibrary.TryGetExport(h, "np_entry", out var entry));
        Assert.NotEqual(0, entry);
        NativeLibrary.Free(h);
    }

    public static TheoryData<string> SamplePlugins()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { RepoLayout.PluginDir, RepoLayout.HostedPluginDir })
            foreach (var file in Directory.GetFiles(dir, "*.so").Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(RepoLayout.BuildDir, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(SamplePlugins))]
    public void Every_sample_plugin_passes_the_pointer_checks(string relative)
    {
        // C and Rust descriptors live in the library's segments; C# ones in native heap memory, and a hosted C#
        // plugin's functions are JIT stubs: all valid, none refused.
        using var host = Create();
        Assert.True(host.TryLoad(Path.Combine(RepoLayout.BuildDir, relative), out var lib, out var error), error?.Message);
        Assert.NotEmpty(lib!.Plugins);
    }

    // ---- LoadedMemory itself -----------------------------------------------------------------------------------

    [Fact]
    public void Readable_means_the_whole_range_and_executable_means_code()
    {
        if (!OperatingSystem.IsLinux()) return;
        var memory = LoadedMemory.ForLibrary(0);
        nuint page = (nuint)Environment.SystemPageSize;
        byte* two = (byte*)Mmap(null, 2 * page, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        Assert.NotEqual((nint)(-1), (nint)two);
        try
        {
            Assert.Equal(0, Mprotect(two + page, page, ProtNone)); // a guard page right after a readable one
            var fresh = LoadedMemory.ForLibrary(0); // the map is read once per check object: after the mprotect
            Assert.True(fresh.IsReadable(two, page));
            Assert.True(fresh.IsReadable(two + page - 8, 8));
            Assert.False(fresh.IsReadable(two + page - 8, 9)); // one byte into the guard page
            Assert.False(fresh.IsReadable(two + page, 1));
            Assert.False(fresh.IsExecutable(two)); // data is not code
        }
        finally
        {
            Assert.Equal(0, Munmap(two, 2 * page));
        }
        Assert.False(memory.IsReadable(null, 1));
        Assert.False(memory.IsReadable((void*)0x1000, 1));
        Assert.False(memory.IsReadable((void*)nuint.MaxValue, 2)); // wraps around
        Assert.False(memory.IsExecutable((void*)0x1000));
        delegate* unmanaged[Cdecl]<int> code = &Answer;
        Assert.True(memory.IsExecutable(code)); // a JIT-compiled stub, as a hosted C# plugin's functions are
    }

    [Fact]
    public void The_library_own_segments_answer_for_its_code_and_data()
    {
        if (!OperatingSystem.IsLinux()) return;
        var h = NativeLibrary.Load(RepoLayout.Fixture("libnp_fixture_good.so"));
        try
        {
            var entry = NativeLibrary.GetExport(h, "np_entry");
            var memory = LoadedMemory.ForLibrary(entry);
            Assert.True(memory.IsExecutable((void*)entry));
            Assert.False(memory.ReadProcessMap); // answered from the segments: no system call
            Assert.False(memory.IsReadable((void*)0x1000, 1));
            Assert.True(memory.ReadProcessMap); // outside them: the process map decides
        }
        finally
        {
            NativeLibrary.Free(h);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Answer() => 42;

    private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2, MapPrivate = 0x02, MapAnonymous = 0x20;

    [DllImport("libc", EntryPoint = "mmap")]
    private static extern void* Mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "mprotect")]
    private static extern int Mprotect(void* addr, nuint length, int prot);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Munmap(void* addr, nuint length);
}
