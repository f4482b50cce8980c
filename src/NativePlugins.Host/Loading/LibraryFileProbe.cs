using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Looks at a file before it is handed to the dynamic loader, so that a file the loader would hang on, crash on or
/// refuse vaguely gets a precise typed reason instead. It runs before every dlopen, because two kinds of file hurt
/// the process inside dlopen itself: a FIFO (or device) named <c>x.so</c> blocks the opening thread forever, and an
/// ELF file whose program headers point past its end is mapped anyway (glibc maps <c>PT_LOAD</c> segments without
/// comparing them with the file size), so the first touch of the missing pages (relocation, reading the dynamic
/// section) kills the process with SIGBUS. Neither can be caught afterwards.
/// </summary>
/// <remarks>
/// <see cref="LoadGate"/> on Linux opens the file first and runs these checks on that descriptor
/// (<see cref="UnixFile.ProbeDescriptor"/>); the path-based probe below serves where it cannot (statx of a
/// descriptor not available, an architecture whose O_NOFOLLOW value is not known here) and for a shadow copy.
/// Cost on Linux: statx on the path (type, size, owner, whether it is a link, without opening: a FIFO is refused
/// before anything could block), open (O_NONBLOCK, in case the path was swapped for a FIFO since), one pread of the
/// first 4 KiB into a stack buffer (the header and, in every library a linker writes, the program header table; a
/// table further in costs one more pread), close. No managed handle, no allocation on the success path. The file can still be replaced between this check and dlopen's own open; only
/// someone who can write to its directory can do that, which <see cref="LoadPolicy"/> refuses by default for
/// everyone but the owner.
/// </remarks>
internal static class LibraryFileProbe
{
    /// <summary>How much of the file is read at once: the ELF header and, as linkers lay files out, the program
    /// header table (right after the header) are in the first page.</summary>
    internal const int HeaderBytes = 4096;

    /// <summary>The file name suffix of shared libraries on this platform.</summary>
    public static string LibrarySuffix =>
        OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";

    /// <summary>What the file system says about <paramref name="path"/> without opening it (Linux: statx), or null
    /// where the platform cannot tell cheaply; throws FileNotFound and the like.</summary>
    public static FileFacts? Stat(string path)
    {
        if (!OperatingSystem.IsLinux() || !UnixFile.IsAvailable) return null;
        CheckPath(path);
        return UnixFile.Stat(path);
    }

    /// <summary>Refuses a path libc cannot take (a NUL in it, longer than PATH_MAX). The kernel refuses such paths
    /// anyway; refused here, they never reach a managed open (which blocks on a FIFO).</summary>
    public static void CheckPath(string path)
    {
        if (path.Contains('\0'))
            throw new PluginLoadException(PluginLoadError.FileNotFound, path, null, "no such file (the path contains a NUL)");
        if (System.Text.Encoding.UTF8.GetByteCount(path) > UnixFile.MaxPathBytes)
            throw new PluginLoadException(PluginLoadError.LoadFailed, path, null,
                $"the path is longer than PATH_MAX ({UnixFile.MaxPathBytes} bytes)");
    }

    /// <summary>Throws a <see cref="PluginLoadException"/> when the file cannot be a library of this process, or
    /// could not be loaded without hanging or crashing it. <paramref name="facts"/>: <see cref="Stat"/>'s answer.</summary>
    public static void Check(string path, FileFacts? facts)
    {
        if (facts is { } f) UnixFile.Read(path, f);
        // statx is not available (an old kernel, a seccomp filter): the file is opened with O_NONBLOCK, so a FIFO
        // still cannot block, and pread names it.
        else if (OperatingSystem.IsLinux() && UnixFile.IsAvailable) UnixFile.CheckWithoutStat(path);
        else CheckManaged(path);
    }

    /// <summary>The checks with managed file APIs (Windows, macOS, FreeBSD), every failure turned into its typed
    /// refusal.</summary>
    private static void CheckManaged(string path)
    {
        if (Directory.Exists(path))
            throw new PluginLoadException(PluginLoadError.NotARegularFile, path, null, "a directory, not a regular file");
        try
        {
            using var file = OpenOrThrowNotFound(path);
            long size = RandomAccess.GetLength(file);
            if (size == 0) throw Empty(path);
            Span<byte> header = stackalloc byte[HeaderBytes];
            var reader = new FileReader(file);
            int read = reader.Read(header, 0);
            Inspect(path, header[..read], size, reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginLoadException(PluginLoadError.LoadFailed, path, null, $"cannot read the file: {e.Message}", e);
        }
    }

    private static SafeFileHandle OpenOrThrowNotFound(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw NotFound(path);
        }
    }

    internal static PluginLoadException NotFound(string path) =>
        new(PluginLoadError.FileNotFound, path, null, "no such file");

    internal static PluginLoadException Empty(string path) =>
        new(PluginLoadError.EmptyFile, path, null, "the file is empty (0 bytes)");

    /// <summary>The checks of the file's bytes: <paramref name="header"/> is its start (up to
    /// <see cref="HeaderBytes"/>), <paramref name="size"/> its length, <paramref name="reader"/> reads further.</summary>
    internal static void Inspect(string path, ReadOnlySpan<byte> header, long size, FileReader reader)
    {
        if (OperatingSystem.IsWindows()) CheckPe(path, header);
        else if (OperatingSystem.IsMacOS()) CheckMachO(path, header);
        else CheckElf(path, header, (ulong)size, reader);
    }

    private static void CheckElf(string path, ReadOnlySpan<byte> h, ulong size, FileReader reader)
    {
        if (h.Length < 4 || h[0] != 0x7f || h[1] != (byte)'E' || h[2] != (byte)'L' || h[3] != (byte)'F')
            throw new PluginLoadException(PluginLoadError.NotALibrary, path, null,
                $"not an ELF shared library (starts with {Describe(h)})");
        // e_ident[EI_CLASS] (4): 1 = 32-bit, 2 = 64-bit; e_ident[EI_DATA] (5): 1 = little endian, 2 = big endian.
        bool is64 = h.Length > 4 && h[4] == 2;
        int headerSize = is64 ? 64 : 52;
        if (h.Length < headerSize)
            throw Malformed(path, $"the file is {size} bytes, shorter than the {headerSize}-byte ELF header");

        int wordBits = h[4] == 2 ? 64 : h[4] == 1 ? 32 : 0;
        if (wordBits != IntPtr.Size * 8)
            throw new PluginLoadException(PluginLoadError.WrongArchitecture, path, null,
                $"a {wordBits}-bit ELF file, the host process is {IntPtr.Size * 8}-bit");
        if (h[5] is not (1 or 2))
            throw new PluginLoadException(PluginLoadError.NotALibrary, path, null,
                $"an ELF file with an invalid data encoding (EI_DATA {h[5]})");
        var elf = new ElfReader(littleEndian: h[5] == 1);
        // The rest of the header is read in the file's own byte order, so that a big-endian library is named as one
        // (and not as an ELF file of some absurd type) wherever the checks below are reached first.
        if (elf.LittleEndian != BitConverter.IsLittleEndian)
            throw new PluginLoadException(PluginLoadError.WrongArchitecture, path, null,
                $"a {(elf.LittleEndian ? "little" : "big")}-endian ELF file (machine {elf.U16(h, 18)}), the host process is " +
                $"{(BitConverter.IsLittleEndian ? "little" : "big")}-endian {RuntimeInformation.ProcessArchitecture}");

        ushort type = elf.U16(h, 16), machine = elf.U16(h, 18);
        const ushort EtDyn = 3;
        if (type != EtDyn)
            throw new PluginLoadException(PluginLoadError.NotALibrary, path, null,
                $"an ELF file of type {type} ({(type == 1 ? "relocatable object" : type == 2 ? "executable" : "other")}), not a shared library");
        ushort expected = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 62,     // EM_X86_64
            Architecture.Arm64 => 183,  // EM_AARCH64
            Architecture.X86 => 3,      // EM_386
            Architecture.Arm => 40,     // EM_ARM
            _ => machine,               // unknown to us: let the loader decide
        };
        if (machine != expected)
            throw new PluginLoadException(PluginLoadError.WrongArchitecture, path, null,
                $"built for ELF machine {machine}, the host process is {RuntimeInformation.ProcessArchitecture}");

        CheckProgramHeaders(path, h, size, reader, elf, is64);
    }

    /// <summary>The program header table and every range of the file the loader maps (<c>PT_LOAD</c>) or reads
    /// (<c>PT_DYNAMIC</c>) must lie inside the file: a truncated or damaged library is refused here instead of being
    /// mapped and killing the process with SIGBUS on first touch.</summary>
    private static void CheckProgramHeaders(string path, ReadOnlySpan<byte> h, ulong size, FileReader reader,
        ElfReader elf, bool is64)
    {
        ulong phoff = is64 ? elf.U64(h, 32) : elf.U32(h, 28);
        ushort entrySize = elf.U16(h, is64 ? 54 : 42), count = elf.U16(h, is64 ? 56 : 44);
        int expectedEntry = is64 ? 56 : 32; // sizeof(Elf64_Phdr), sizeof(Elf32_Phdr)
        if (count == 0)
            throw Malformed(path, "no program headers (e_phnum 0): nothing the loader could map");
        if (entrySize != expectedEntry)
            throw Malformed(path, $"program header entries of {entrySize} bytes (e_phentsize), expected {expectedEntry}");
        ulong tableBytes = (ulong)count * entrySize;
        if (phoff > size || tableBytes > size - phoff)
            throw Malformed(path, $"the program header table (e_phoff {phoff}, {count} x {entrySize} bytes) ends at byte " +
                $"{(UInt128)phoff + tableBytes}, past the end of the file ({size} bytes)");

        // Within the first read in every library a linker writes; read separately (at most 65535 x 56 bytes, and
        // never more than the file holds, checked above) only when not.
        ReadOnlySpan<byte> table = phoff + tableBytes <= (ulong)h.Length
            ? h.Slice((int)phoff, (int)tableBytes)
            : reader.ReadExactly(path, (long)phoff, (int)tableBytes);

        bool anyLoad = false;
        for (int i = 0; i < count; i++)
        {
            var ph = table.Slice(i * entrySize, entrySize);
            uint type = elf.U32(ph, 0);
            const uint PtLoad = 1, PtDynamic = 2;
            if (type is not (PtLoad or PtDynamic)) continue;
            anyLoad |= type == PtLoad;
            ulong offset = is64 ? elf.U64(ph, 8) : elf.U32(ph, 4);
            ulong fileBytes = is64 ? elf.U64(ph, 32) : elf.U32(ph, 16);
            if (offset > size || fileBytes > size - offset)
                throw Malformed(path, $"program header {i} ({(type == PtLoad ? "PT_LOAD" : "PT_DYNAMIC")}) covers file bytes " +
                    $"{offset} to {(UInt128)offset + fileBytes}, past the end of the file ({size} bytes): truncated or damaged");
        }
        if (!anyLoad)
            throw Malformed(path, "no loadable segment (PT_LOAD)");
    }

    private static PluginLoadException Malformed(string path, string detail) =>
        new(PluginLoadError.MalformedLibrary, path, null, detail);

    private static void CheckPe(string path, ReadOnlySpan<byte> h)
    {
        if (h.Length < 2 || h[0] != (byte)'M' || h[1] != (byte)'Z')
            throw new PluginLoadException(PluginLoadError.NotALibrary, path, null,
                $"not a PE library (starts with {Describe(h)})");
    }

    private static void CheckMachO(string path, ReadOnlySpan<byte> h)
    {
        uint magic = h.Length >= 4 ? BitConverter.ToUInt32(h) : 0;
        bool ok = magic is 0xfeedfacf or 0xcffaedfe or 0xfeedface or 0xcefaedfe or 0xcafebabe or 0xbebafeca;
        if (!ok)
            throw new PluginLoadException(PluginLoadError.NotALibrary, path, null,
                $"not a Mach-O library (starts with {Describe(h)})");
    }

    private static string Describe(ReadOnlySpan<byte> h)
    {
        var n = Math.Min(h.Length, 8);
        return n == 0 ? "nothing" : "bytes " + Convert.ToHexString(h[..n]).ToLowerInvariant();
    }

    /// <summary>Reads ELF fields in the file's byte order (EI_DATA), not the host's.</summary>
    private readonly struct ElfReader(bool littleEndian)
    {
        public bool LittleEndian { get; } = littleEndian;

        public ushort U16(ReadOnlySpan<byte> b, int at) =>
            LittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);

        public uint U32(ReadOnlySpan<byte> b, int at) =>
            LittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);

        public ulong U64(ReadOnlySpan<byte> b, int at) =>
            LittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt64BigEndian(b[at..]);
    }
}

/// <summary>What the file system says about a library file (statx on Linux), for <see cref="LoadPolicy"/>.</summary>
/// <paramref name="IsLink"/>: the path itself is a symbolic link (the other facts are its target's).
internal readonly record struct FileFacts(uint Mode, uint Owner, long Size, bool IsLink);

/// <summary>Reads from an open file: a descriptor of libc's (Linux) or a managed handle (elsewhere).</summary>
internal readonly struct FileReader
{
    private readonly int _fd;
    private readonly SafeFileHandle? _handle;

    public FileReader(int fd) => _fd = fd;

    public FileReader(SafeFileHandle handle) => _handle = handle;

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/> until the end of the file; returns the
    /// bytes read, or -1 with the errno when a read failed (libc descriptor only).</summary>
    public int Read(Span<byte> buffer, long offset)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = _handle is not null ? RandomAccess.Read(_handle, buffer[read..], offset + read)
                : UnixFile.Pread(_fd, buffer[read..], offset + read);
            if (n < 0) return -1;
            if (n == 0) break;
            read += n;
        }
        return read;
    }

    /// <summary>Exactly <paramref name="count"/> bytes at <paramref name="offset"/> (which the file was checked to
    /// hold), or a typed refusal.</summary>
    public byte[] ReadExactly(string path, long offset, int count)
    {
        var buffer = new byte[count];
        if (Read(buffer, offset) != count)
            throw new PluginLoadException(PluginLoadError.LoadFailed, path, null,
                $"cannot read {count} bytes at offset {offset}: the file changed or could not be read");
        return buffer;
    }
}
