using System.Buffers.Binary;
using System.Text;
using NativePlugins.Interop;
using NativePlugins.TestSupport;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>The ELF .dynsym reader shared by the host and the conformance suite, on small ELF files written here (32- and
/// 64-bit, well formed and broken), so that every branch runs without depending on what a compiler emits. The host's
/// and the suite's tests run it on the real fixtures.</summary>
public sealed class ElfExportsTests : IDisposable
{
    private const int StFunc = 2, StObject = 1, StTls = 6, StGnuIfunc = 10;
    private const int StbGlobal = 1, StbWeak = 2, StvDefault = 0, StvHidden = 2;

    private readonly TempDirectory _dir = new("nplug-elf-tests");

    public void Dispose() => _dir.Dispose();

    private sealed record Sym(string Name, int Type, int Binding = StbGlobal, int Visibility = StvDefault, ushort Section = 7);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reads_the_type_binding_and_visibility_of_a_defined_symbol(bool is64)
    {
        var file = Write(Elf(is64, [new("other", StObject), new("np_entry", StFunc, StbWeak, StvHidden)]));
        Assert.Equal(new ElfSymbol(true, StFunc, StbWeak, StvHidden), ElfExports.Find(file, "np_entry"));
        Assert.Equal((ExportKind.Function, "function"), ElfExports.Inspect(file, "np_entry"));
        Assert.Equal((ExportKind.NotAFunction, "a data symbol (STT_OBJECT)"), ElfExports.Inspect(file, "other"));
    }

    [Theory]
    [InlineData(StFunc, ExportKind.Function)]
    [InlineData(StGnuIfunc, ExportKind.Function)]
    [InlineData(StObject, ExportKind.NotAFunction)]
    [InlineData(StTls, ExportKind.NotAFunction)]
    [InlineData(0, ExportKind.NotAFunction)]
    public void Only_functions_and_ifuncs_are_callable(int type, ExportKind kind)
    {
        var symbol = ElfExports.Find(Write(Elf(true, [new("np_entry", type)])), "np_entry")!.Value;
        Assert.Equal(kind, symbol.Kind);
        Assert.Equal(kind == ExportKind.Function, symbol.IsFunction);
        Assert.Equal(ElfExports.Describe(type), symbol.Description);
    }

    [Fact]
    public void An_undefined_symbol_is_an_import_not_an_export()
    {
        var file = Write(Elf(true, [new("np_entry", StFunc, Section: 0)]));
        Assert.Equal(new ElfSymbol(false, 0, 0, 0), ElfExports.Find(file, "np_entry"));
        Assert.Equal((ExportKind.Missing, "not in the dynamic symbol table"), ElfExports.Inspect(file, "np_entry"));
        Assert.False(ElfExports.Find(file, "np_entry")!.Value.IsFunction);
    }

    [Fact]
    public void A_file_without_a_dynamic_symbol_table_exports_nothing()
    {
        var file = Write(Elf(true, [new("np_entry", StFunc)], dynsymType: 2 /* SHT_SYMTAB */));
        Assert.Equal(ExportKind.Missing, ElfExports.Inspect(file, "np_entry").Kind);
    }

    [Fact]
    public void Files_that_cannot_tell_are_unknown_with_a_reason_never_an_exception()
    {
        var elf = Elf(true, [new("np_entry", StFunc)]);
        AssertUnknown(Write(Encoding.ASCII.GetBytes("#!/bin/sh\necho not a library\n" + new string(' ', 64))), "not a little-endian ELF file");
        var bigEndian = (byte[])elf.Clone();
        bigEndian[5] = 2;
        AssertUnknown(Write(bigEndian), "not a little-endian ELF file");
        var noSections = (byte[])elf.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(noSections.AsSpan(0x3C), 0);
        AssertUnknown(Write(noSections), "no section headers");
        AssertUnknown(Write(elf[..^1]), "section headers outside the file"); // truncated
        AssertUnknown(Write(Elf(true, [new("np_entry", StFunc)], entSize: 8)), "dynsym entries are 8 bytes, fewer than an ELF symbol's 24");
        AssertUnknown(Write(Elf(true, [new("np_entry", StFunc)], symbolsOffset: 1L << 40)), "symbol table outside the file");
        AssertUnknown(Write(Elf(true, [new("np_entry", StFunc)], link: 9)), "dynsym links to no string table");
        Assert.Null(ElfExports.Find(_dir.File("no-such-file.so"), "np_entry", out var why));
        Assert.Contains("no-such-file.so", why);
    }

    private static void AssertUnknown(string file, string reason)
    {
        Assert.Null(ElfExports.Find(file, "np_entry", out var why));
        Assert.Equal(reason, why);
        Assert.Equal((ExportKind.Unknown, reason), ElfExports.Inspect(file, "np_entry"));
    }

    private string Write(byte[] bytes)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N") + ".so");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A minimal little-endian ELF file: the header, .dynstr, .dynsym, then three section headers (null,
    /// dynsym, dynstr). Only what the reader looks at is filled in.</summary>
    private static byte[] Elf(bool is64, Sym[] symbols, uint dynsymType = 11, long? entSize = null, long? symbolsOffset = null,
        uint link = 2)
    {
        int symSize = is64 ? 24 : 16, shSize = is64 ? 64 : 40;
        var strings = new List<byte> { 0 };
        var nameOffsets = symbols.Select(s =>
        {
            int at = strings.Count;
            strings.AddRange(Encoding.ASCII.GetBytes(s.Name));
            strings.Add(0);
            return at;
        }).ToArray();
        int strOff = 64, symOff = strOff + strings.Count, shOff = symOff + symSize * (symbols.Length + 1);
        var file = new byte[shOff + 3 * shSize];
        var f = file.AsSpan();

        "\x7f"u8.CopyTo(f);
        "ELF"u8.CopyTo(f[1..]);
        f[4] = (byte)(is64 ? 2 : 1);
        f[5] = 1; // little-endian
        f[6] = 1;
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(f[0x28..], (ulong)shOff);
            BinaryPrimitives.WriteUInt16LittleEndian(f[0x3A..], (ushort)shSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[0x3C..], 3);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(f[0x20..], (uint)shOff);
            BinaryPrimitives.WriteUInt16LittleEndian(f[0x2E..], (ushort)shSize);
            BinaryPrimitives.WriteUInt16LittleEndian(f[0x30..], 3);
        }
        strings.ToArray().CopyTo(f[strOff..]);
        for (int i = 0; i < symbols.Length; i++) // entry 0 stays the null symbol
        {
            var s = f.Slice(symOff + (i + 1) * symSize, symSize);
            var sym = symbols[i];
            BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)nameOffsets[i]);
            s[is64 ? 4 : 12] = (byte)((sym.Binding << 4) | sym.Type);
            s[is64 ? 5 : 13] = (byte)sym.Visibility;
            BinaryPrimitives.WriteUInt16LittleEndian(s[(is64 ? 6 : 14)..], sym.Section);
        }
        Section(f.Slice(shOff + shSize, shSize), is64, dynsymType, symbolsOffset ?? symOff, symSize * (symbols.Length + 1), link,
            entSize ?? symSize);
        Section(f.Slice(shOff + 2 * shSize, shSize), is64, 3, strOff, strings.Count, 0, 0);
        return file;
    }

    private static void Section(Span<byte> sh, bool is64, uint type, long offset, long size, uint link, long entSize)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(sh[4..], type);
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(sh[0x18..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(sh[0x20..], (ulong)size);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[0x28..], link);
            BinaryPrimitives.WriteUInt64LittleEndian(sh[0x38..], (ulong)entSize);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sh[0x10..], (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[0x14..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[0x18..], link);
            BinaryPrimitives.WriteUInt32LittleEndian(sh[0x24..], (uint)entSize);
        }
    }
}
