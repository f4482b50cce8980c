using System.Runtime.InteropServices;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;

namespace NativePlugins.Host.Tests;

/// <summary>
/// Rule P1 / H3, "np_entry is a function", on both paths that can answer it: the dynamic loader's symbol entry
/// (glibc dladdr1) and the ELF file's .dynsym (the fallback when the loader cannot say). Both must agree on the
/// fixture that exports np_entry as data and on a good library, so the host refuses the same files either way.
/// </summary>
public class EntrySymbolTests
{
    private static readonly bool IsGlibc =
        NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "gnu_get_libc_version", out _);

    private static T WithEntry<T>(string file, Func<nint, T> inspect)
    {
        var handle = NativeLibrary.Load(file);
        try
        {
            Assert.True(NativeLibrary.TryGetExport(handle, "np_entry", out var entry));
            return inspect(entry);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    [Fact]
    public void On_glibc_the_loader_answers_without_reading_the_file()
    {
        Assert.Equal(IsGlibc, EntrySymbol.LoaderCanTell);
    }

    [Fact]
    public void The_loader_path_sees_a_data_np_entry_as_a_data_symbol()
    {
        if (!EntrySymbol.LoaderCanTell) return; // not glibc: the test above proves that is expected here
        var file = RepoLayout.Fixture("libnp_fixture_data_entry.so");
        var (kind, type) = WithEntry(file, entry => (EntrySymbol.FromLoader(entry, out var t), t));
        Assert.Equal(ExportKind.NotAFunction, kind);
        Assert.Equal(1, type); // STT_OBJECT
        Assert.Equal("a data symbol (STT_OBJECT)", WithEntry(file, entry => EntrySymbol.Inspect(entry, file)).Detail);
    }

    [Fact]
    public void The_file_path_sees_a_data_np_entry_as_a_data_symbol()
    {
        var (kind, detail) = ElfExports.Inspect(RepoLayout.Fixture("libnp_fixture_data_entry.so"), "np_entry");
        Assert.Equal(ExportKind.NotAFunction, kind);
        Assert.Equal("a data symbol (STT_OBJECT)", detail);
    }

    [Fact]
    public void Both_paths_see_a_real_np_entry_as_a_function()
    {
        var file = RepoLayout.Fixture("libnp_fixture_good.so");
        Assert.Equal(ExportKind.Function, ElfExports.Inspect(file, "np_entry").Kind);
        Assert.Equal(ExportKind.Function, WithEntry(file, entry => EntrySymbol.Inspect(entry, file)).Kind);
        if (EntrySymbol.LoaderCanTell)
            Assert.Equal(ExportKind.Function, WithEntry(file, entry => EntrySymbol.FromLoader(entry, out _)));
    }

    [Fact]
    public unsafe void An_address_in_no_library_is_left_to_the_file_parser()
    {
        // Memory of no loaded object: dladdr1 finds nothing, so Inspect must fall back to the file.
        var block = NativeMemory.Alloc(64);
        try
        {
            Assert.Equal(ExportKind.Unknown, EntrySymbol.FromLoader((nint)block, out _));
            var file = RepoLayout.Fixture("libnp_fixture_data_entry.so");
            Assert.Equal(ExportKind.NotAFunction, EntrySymbol.Inspect((nint)block, file).Kind);
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    [Fact]
    public void A_data_np_entry_is_refused_naming_the_symbol_type()
    {
        using var host = TestHosts.Create();
        var file = RepoLayout.Fixture("libnp_fixture_data_entry.so");
        var e = Assert.Throws<PluginLoadException>(() => host.Load(file));
        Assert.Equal(PluginLoadError.EntryNotAFunction, e.Reason);
        Assert.Contains("np_entry is a data symbol (STT_OBJECT), not a function", e.Message);
    }
}
