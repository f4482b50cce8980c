// The ELF dynamic-symbol reader of every C# side that checks rule P1 on a file (the host before it calls np_entry, the
// conformance suite's entry.exported check). Hand-written: it mirrors nothing of the header.
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace NativePlugins.Interop;

/// <summary>What kind of symbol a library exports under a name, read from the ELF file's dynamic symbol table.</summary>
public enum ExportKind
{
    /// <summary>Could not be determined (not ELF, no section headers, unusual encoding): the caller proceeds.</summary>
    Unknown,

    /// <summary>A function (STT_FUNC, or STT_GNU_IFUNC which the loader resolves to a function).</summary>
    Function,

    /// <summary>Data or anything else that must never be called (STT_OBJECT, STT_TLS, ...).</summary>
    NotAFunction,

    /// <summary>No defined dynamic symbol of that name.</summary>
    Missing,
}

/// <summary>What the dynamic symbol table of an ELF file says about one symbol.</summary>
/// <param name="Found">The file defines the symbol in .dynsym (an undefined entry, an import, does not count).</param>
/// <param name="Type">STT_*: 2 FUNC, 10 GNU_IFUNC, 1 OBJECT, 6 TLS, ...</param>
/// <param name="Binding">STB_*: 1 GLOBAL, 2 WEAK, 0 LOCAL.</param>
/// <param name="Visibility">STV_*: 0 DEFAULT, 2 HIDDEN, 3 PROTECTED.</param>
public readonly record struct ElfSymbol(bool Found, int Type, int Binding, int Visibility)
{
    /// <summary>Found, and of a type the loader resolves to code.</summary>
    public bool IsFunction => Found && ElfExports.Classify(Type) == ExportKind.Function;

    /// <summary><see cref="ExportKind.Missing"/> when not found, else what <see cref="ElfExports.Classify"/> says.</summary>
    public ExportKind Kind => Found ? ElfExports.Classify(Type) : ExportKind.Missing;

    /// <summary>What the symbol is, for messages: <c>a data symbol (STT_OBJECT)</c>.</summary>
    public string Description => ElfExports.Describe(Type);
}

/// <summary>
/// Reads the type of an exported symbol from the ELF file before anyone calls it. dlsym finds data symbols too: a
/// library that exports <c>np_entry</c> as data (CLAP's <c>clap_entry</c> convention) would make a host jump into a
/// non-executable page and crash, so the type is checked first (rule P1: np_entry is a function). Pure managed parsing
/// of the section headers and .dynsym of a little-endian ELF file (32- or 64-bit), every offset bounds-checked and only
/// the tables it needs read (at most 64 MiB each), so it works with any libc and a malformed file is "unknown", never
/// an exception.
/// </summary>
public static class ElfExports
{
    private const uint ShtDynsym = 11;
    private const int SttFunc = 2, SttGnuIfunc = 10;
    private const long MaxTableBytes = 64L * 1024 * 1024;

    /// <summary>Looks <paramref name="symbol"/> up in the file's .dynsym; null when the file cannot tell (not a
    /// little-endian ELF file, no section headers, a malformed table, unreadable): the caller then relies on the
    /// dynamic loader alone.</summary>
    public static ElfSymbol? Find(string path, string symbol) => Find(path, symbol, out _);

    /// <inheritdoc cref="Find(string, string)"/>
    /// <param name="path">The library file.</param>
    /// <param name="symbol">The symbol name (ASCII).</param>
    /// <param name="whyUnknown">When the result is null: why the file could not tell.</param>
    public static ElfSymbol? Find(string path, string symbol, out string? whyUnknown)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Find(file, symbol, out whyUnknown);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            whyUnknown = e.Message;
            return null;
        }
    }

    /// <summary>The kind of export and a description: the symbol's type (<see cref="Describe"/>) when found, else why
    /// not.</summary>
    public static (ExportKind Kind, string Detail) Inspect(string path, string symbol) =>
        Find(path, symbol, out var whyUnknown) switch
        {
            null => (ExportKind.Unknown, whyUnknown!),
            { Found: false } => (ExportKind.Missing, "not in the dynamic symbol table"),
            { } s => (s.Kind, s.Description),
        };

    /// <summary>Function for STT_FUNC and STT_GNU_IFUNC, NotAFunction for every other ELF symbol type.</summary>
    public static ExportKind Classify(int elfType) =>
        elfType is SttFunc or SttGnuIfunc ? ExportKind.Function : ExportKind.NotAFunction;

    /// <summary>What a symbol of this ELF type is, for messages ("np_entry is a data symbol (STT_OBJECT)").</summary>
    public static string Describe(int elfType) => elfType switch
    {
        SttFunc or SttGnuIfunc => "function",
        0 => "a symbol without type (STT_NOTYPE)",
        1 => "a data symbol (STT_OBJECT)",
        3 => "a section symbol (STT_SECTION)",
        4 => "a file symbol (STT_FILE)",
        6 => "a thread-local variable (STT_TLS)",
        _ => $"a symbol of ELF type {elfType}",
    };

    private static ElfSymbol? Find(SafeFileHandle file, string symbol, out string? whyUnknown)
    {
        long length = RandomAccess.GetLength(file);
        var ident = Read(file, 0, 64, length);
        if (ident is null || ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F' || ident[5] != 1
            || ident[4] is not (1 or 2))
            return Unknown("not a little-endian ELF file", out whyUnknown);
        bool is64 = ident[4] == 2;
        var h = ident.AsSpan();
        long shoff = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x28..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[0x20..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[(is64 ? 0x3A : 0x2E)..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(h[(is64 ? 0x3C : 0x30)..]);
        if (shoff == 0 || shnum == 0 || shentsize < (is64 ? 64 : 40))
            return Unknown("no section headers", out whyUnknown);
        var sections = Read(file, shoff, (long)shentsize * shnum, length);
        if (sections is null) return Unknown("section headers outside the file", out whyUnknown);

        for (int i = 0; i < shnum; i++)
        {
            var sh = sections.AsSpan(i * shentsize, shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtDynsym) continue;
            var (symOff, symSize, link, entSize) = Section(sh, is64);
            if (link >= shnum) return Unknown("dynsym links to no string table", out whyUnknown);
            var (strOff, strSize, _, _) = Section(sections.AsSpan((int)link * shentsize, shentsize), is64);
            if (symSize > MaxTableBytes || strSize > MaxTableBytes) return Unknown("symbol table too large", out whyUnknown);
            int minEntry = is64 ? 24 : 16;
            if (entSize != 0 && entSize < minEntry)
                return Unknown($"dynsym entries are {entSize} bytes, fewer than an ELF symbol's {minEntry}", out whyUnknown);
            var syms = Read(file, symOff, symSize, length);
            var strs = Read(file, strOff, strSize, length);
            if (syms is null || strs is null) return Unknown("symbol table outside the file", out whyUnknown);
            whyUnknown = null;
            return Lookup(syms, strs, entSize > 0 ? (int)entSize : minEntry, is64, symbol);
        }
        // Section headers but no dynamic symbol table: the file exports nothing.
        whyUnknown = null;
        return new ElfSymbol(false, 0, 0, 0);
    }

    private static ElfSymbol Lookup(byte[] syms, byte[] strs, int symEnt, bool is64, string symbol)
    {
        var name = System.Text.Encoding.ASCII.GetBytes(symbol);
        for (int off = 0; off + symEnt <= syms.Length; off += symEnt)
        {
            var s = syms.AsSpan(off, symEnt);
            uint nameOff = BinaryPrimitives.ReadUInt32LittleEndian(s);
            byte info = is64 ? s[4] : s[12];
            byte other = is64 ? s[5] : s[13];
            ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(is64 ? s[6..] : s[14..]);
            if (shndx == 0 || nameOff >= strs.Length) continue; // undefined (an import, not an export) or a bad name
            var rest = strs.AsSpan((int)nameOff);
            int end = rest.IndexOf((byte)0);
            if (end < 0 || !rest[..end].SequenceEqual(name)) continue;
            return new ElfSymbol(true, info & 0xf, info >> 4, other & 0x3);
        }
        return new ElfSymbol(false, 0, 0, 0);
    }

    private static ElfSymbol? Unknown(string why, out string? whyUnknown)
    {
        whyUnknown = why;
        return null;
    }

    private static (long Offset, long Size, uint Link, long EntSize) Section(ReadOnlySpan<byte> sh, bool is64) => is64
        ? ((long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]),
           BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x38..]))
        : (BinaryPrimitives.ReadUInt32LittleEndian(sh[0x10..]), BinaryPrimitives.ReadUInt32LittleEndian(sh[0x14..]),
           BinaryPrimitives.ReadUInt32LittleEndian(sh[0x18..]), BinaryPrimitives.ReadUInt32LittleEndian(sh[0x24..]));

    private static byte[]? Read(SafeFileHandle file, long offset, long count, long length)
    {
        if (offset < 0 || count < 0 || count > MaxTableBytes || offset > length - count) return null;
        var buffer = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = RandomAccess.Read(file, buffer.AsSpan(done), offset + done);
            if (n <= 0) return null;
            done += n;
        }
        return buffer;
    }
}
