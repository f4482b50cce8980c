using System.Buffers.Binary;
using System.Text;

namespace NativePlugins.Conformance.Harness;

/// <summary>What the dynamic symbol table of an ELF file says about one symbol.</summary>
/// <param name="Found">The file defines the symbol in .dynsym.</param>
/// <param name="Type">STT_* type: 2 FUNC, 10 GNU_IFUNC, 1 OBJECT, ...</param>
/// <param name="Binding">STB_*: 1 GLOBAL, 2 WEAK, 0 LOCAL.</param>
/// <param name="Visibility">STV_*: 0 DEFAULT, 2 HIDDEN, 3 PROTECTED.</param>
internal readonly record struct ElfSymbol(bool Found, int Type, int Binding, int Visibility)
{
    public bool IsFunction => Type is 2 or 10;

    public string TypeName => Type switch
    {
        0 => "NOTYPE", 1 => "OBJECT (data)", 2 => "FUNC", 3 => "SECTION", 4 => "FILE", 6 => "TLS", 10 => "GNU_IFUNC",
        _ => $"type {Type}",
    };
}

/// <summary>
/// Reads the dynamic symbol table of a 64-bit little-endian ELF shared object, to tell whether np_entry is exported
/// as a FUNCTION (rule P1: a data symbol such as CLAP's clap_entry cannot be produced by NativeAOT and is refused).
/// Only what that needs: section headers, SHT_DYNSYM and its string table.
/// </summary>
internal static class ElfExports
{
    private const uint SHT_DYNSYM = 11;

    /// <summary>Looks <paramref name="name"/> up; null when the file is not a 64-bit little-endian ELF file (the check
    /// then relies on the dynamic loader alone).</summary>
    public static ElfSymbol? Find(string path, string name)
    {
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        var span = file.AsSpan();
        if (span.Length < 64 || span[0] != 0x7F || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            return null;
        if (span[4] != 2 || span[5] != 1) return null; // ELFCLASS64, ELFDATA2LSB only

        var shoff = BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        if (shoff == 0 || shentsize < 64 || shoff + (ulong)shentsize * shnum > (ulong)span.Length) return null;

        var wanted = Encoding.ASCII.GetBytes(name);
        for (var i = 0; i < shnum; i++)
        {
            var sh = span.Slice((int)shoff + i * shentsize, shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != SHT_DYNSYM) continue;
            var symOff = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]);
            var symSize = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]);
            var link = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            var entSize = BinaryPrimitives.ReadUInt64LittleEndian(sh[0x38..]);
            if (entSize < 24 || link >= shnum || symOff + symSize > (ulong)span.Length) return null;
            var strSh = span.Slice((int)shoff + (int)link * shentsize, shentsize);
            var strOff = BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x18..]);
            var strSize = BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x20..]);
            if (strOff + strSize > (ulong)span.Length) return null;
            var strings = span.Slice((int)strOff, (int)strSize);

            for (ulong s = 0; s < symSize / entSize; s++)
            {
                var sym = span.Slice((int)(symOff + s * entSize), 24);
                var nameOff = BinaryPrimitives.ReadUInt32LittleEndian(sym);
                var info = sym[4];
                var other = sym[5];
                var shndx = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
                if (shndx == 0 || nameOff >= strings.Length) continue; // undefined: an import, not an export
                var rest = strings[(int)nameOff..];
                var end = rest.IndexOf((byte)0);
                if (end < 0 || !rest[..end].SequenceEqual(wanted)) continue;
                return new ElfSymbol(true, info & 0xF, info >> 4, other & 0x3);
            }
            return new ElfSymbol(false, 0, 0, 0);
        }
        return new ElfSymbol(false, 0, 0, 0);
    }
}
