using System.Buffers.Binary;

namespace NativePlugins.Hosting.Loading;

/// <summary>What kind of symbol a library exports under a name, read from the ELF file's dynamic symbol table.</summary>
internal enum ExportKind
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

/// <summary>
/// Reads the type of an exported symbol from the ELF file before the host calls it. dlsym finds data symbols too:
/// a library that exports <c>np_entry</c> as data (CLAP's <c>clap_entry</c> convention) would make the host jump
/// into a non-executable page and crash, so the type is checked first (rule P1: np_entry is a function). Pure
/// managed parsing of the section headers and .dynsym, bounds-checked, so it works with any libc. It reads the file,
/// so the loader asks the dynamic loader first (<see cref="EntrySymbol"/>) and uses this when that cannot say.
/// </summary>
internal static class ElfExports
{
    private const uint ShtDynsym = 11;
    private const int SttFunc = 2, SttGnuIfunc = 10;
    private const long MaxTableBytes = 64L * 1024 * 1024;

    public static (ExportKind Kind, string Detail) Inspect(string path, string symbol)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long length = RandomAccess.GetLength(file);
            var ident = Read(file, 0, 64, length);
            if (ident is null || ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F' || ident[5] != 1)
                return (ExportKind.Unknown, "not a little-endian ELF file");
            bool is64 = ident[4] == 2;
            var h = ident.AsSpan();
            long shoff = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(h[0x28..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[0x20..]);
            int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[(is64 ? 0x3A : 0x2E)..]);
            int shnum = BinaryPrimitives.ReadUInt16LittleEndian(h[(is64 ? 0x3C : 0x30)..]);
            if (shoff == 0 || shnum == 0 || shentsize < (is64 ? 64 : 40))
                return (ExportKind.Unknown, "no section headers");
            var sections = Read(file, shoff, (long)shentsize * shnum, length);
            if (sections is null) return (ExportKind.Unknown, "section headers outside the file");

            for (int i = 0; i < shnum; i++)
            {
                var sh = sections.AsSpan(i * shentsize, shentsize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtDynsym) continue;
                var (symOff, symSize, link, entSize) = Section(sh, is64);
                if (link >= shnum) return (ExportKind.Unknown, "dynsym links to no string table");
                var (strOff, strSize, _, _) = Section(sections.AsSpan((int)link * shentsize, shentsize), is64);
                if (symSize > MaxTableBytes || strSize > MaxTableBytes) return (ExportKind.Unknown, "symbol table too large");
                var syms = Read(file, symOff, symSize, length);
                var strs = Read(file, strOff, strSize, length);
                if (syms is null || strs is null) return (ExportKind.Unknown, "symbol table outside the file");
                int symEnt = entSize > 0 ? (int)entSize : is64 ? 24 : 16;
                return Find(syms, strs, symEnt, is64, symbol);
            }
            return (ExportKind.Unknown, "no .dynsym section");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (ExportKind.Unknown, e.Message);
        }
    }

    private static (ExportKind, string) Find(byte[] syms, byte[] strs, int symEnt, bool is64, string symbol)
    {
        var name = System.Text.Encoding.ASCII.GetBytes(symbol);
        for (int off = 0; off + symEnt <= syms.Length; off += symEnt)
        {
            var s = syms.AsSpan(off, symEnt);
            uint nameOff = BinaryPrimitives.ReadUInt32LittleEndian(s);
            byte info = is64 ? s[4] : s[12];
            ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(is64 ? s[6..] : s[14..]);
            if (shndx == 0 || nameOff >= strs.Length) continue; // undefined (imported) or bad name
            var rest = strs.AsSpan((int)nameOff);
            int end = rest.IndexOf((byte)0);
            if (end < 0 || !rest[..end].SequenceEqual(name)) continue;
            int type = info & 0xf;
            return (Classify(type), Describe(type));
        }
        return (ExportKind.Missing, "not in the dynamic symbol table");
    }

    /// <summary>Function for STT_FUNC and STT_GNU_IFUNC, NotAFunction for every other ELF symbol type.</summary>
    public static ExportKind Classify(int elfType) =>
        elfType is SttFunc or SttGnuIfunc ? ExportKind.Function : ExportKind.NotAFunction;

    /// <summary>What a symbol of this ELF type is, for the EntryNotAFunction message ("np_entry is ...").</summary>
    public static string Describe(int elfType) => elfType switch
    {
        SttFunc or SttGnuIfunc => "function",
        0 => "a symbol without type (STT_NOTYPE)",
        1 => "a data symbol (STT_OBJECT)",
        6 => "a thread-local variable (STT_TLS)",
        _ => $"a symbol of ELF type {elfType}",
    };

    private static (long Offset, long Size, uint Link, long EntSize) Section(ReadOnlySpan<byte> sh, bool is64) => is64
        ? ((long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]),
           BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x38..]))
        : (BinaryPrimitives.ReadUInt32LittleEndian(sh[0x10..]), BinaryPrimitives.ReadUInt32LittleEndian(sh[0x14..]),
           BinaryPrimitives.ReadUInt32LittleEndian(sh[0x18..]), BinaryPrimitives.ReadUInt32LittleEndian(sh[0x24..]));

    private static byte[]? Read(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, long length)
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
