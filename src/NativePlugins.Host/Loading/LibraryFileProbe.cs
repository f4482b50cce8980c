using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Looks at a file before it is handed to the dynamic loader, so that an empty file, a text file or a library
/// for another architecture gets a precise reason instead of the loader's generic "invalid ELF header".
/// </summary>
internal static class LibraryFileProbe
{
    /// <summary>The file name suffix of shared libraries on this platform.</summary>
    public static string LibrarySuffix =>
        OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";

    /// <summary>
    /// True when the dynamic loader refuses, by itself and before it maps or runs anything of the file, every file
    /// <see cref="Check"/> refuses. glibc does: open_verify and _dl_map_object_from_fd check the ELF magic, class,
    /// data encoding, machine and type (ET_REL: "only ET_DYN and ET_EXEC can be loaded"; ET_EXEC: "cannot
    /// dynamically load executable"), and a refused file never gets to its constructors. Then the probe runs only
    /// after dlopen failed, to name the reason, and a good library is not read twice. Other loaders (musl maps an
    /// ET_EXEC file, for one) keep the probe before dlopen, as the C host does everywhere.
    /// </summary>
    public static bool LoaderRefusesNonLibraries { get; } = IsGlibc();

    private static bool IsGlibc()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "gnu_get_libc_version", out var p) && p != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Throws a <see cref="PluginLoadException"/> when the file cannot be a library of this process.</summary>
    /// <remarks>Where it runs before every dlopen it must cost little: on Linux the header is read with one open +
    /// pread + close into a stack buffer; only when that fails or reads nothing (no such file, a directory, no
    /// permission, an empty file) does the managed path below run, which names the precise reason.</remarks>
    public static void Check(string path)
    {
        Span<byte> header = stackalloc byte[64];
        int read = OperatingSystem.IsLinux() ? UnixHeader.Read(path, header) : 0;
        if (read <= 0) read = ReadHeaderOrThrow(path, header);

        header = header[..read];
        if (OperatingSystem.IsWindows()) CheckPe(path, header);
        else if (OperatingSystem.IsMacOS()) CheckMachO(path, header);
        else CheckElf(path, header);
    }

    /// <summary>Reads the header with managed file APIs, turning every failure into its typed refusal.</summary>
    private static int ReadHeaderOrThrow(string path, Span<byte> header)
    {
        try
        {
            using var file = OpenOrThrowNotFound(path);
            if (RandomAccess.GetLength(file) == 0)
                throw new PluginLoadException(PluginLoadError.EmptyFile, path, null, "the file is empty (0 bytes)");
            int read = 0;
            while (read < header.Length)
            {
                int n = RandomAccess.Read(file, header[read..], read);
                if (n <= 0) break;
                read += n;
            }
            return read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginLoadException(PluginLoadError.LoadFailed, path, null, $"cannot read the file: {e.Message}", e);
        }
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenOrThrowNotFound(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException ||
                                  (e is UnauthorizedAccessException && Directory.Exists(path)))
        {
            // A directory is "no such file" too, as FileInfo.Exists would say.
            throw new PluginLoadException(PluginLoadError.FileNotFound, path, null, "no such file");
        }
    }

    private static void CheckElf(string path, ReadOnlySpan<byte> h)
    {
        if (h.Length < 20 || h[0] != 0x7f || h[1] != (byte)'E' || h[2] != (byte)'L' || h[3] != (byte)'F')
            throw new PluginLoadException(PluginLoadError.NotALibrary, path, null,
                $"not an ELF shared library (starts with {Describe(h)})");

        // e_ident[EI_CLASS]: 1 = 32-bit, 2 = 64-bit. e_ident[EI_DATA]: 1 = little endian. e_type at 16, e_machine at 18.
        int wordBits = h[4] == 2 ? 64 : h[4] == 1 ? 32 : 0;
        if (wordBits != IntPtr.Size * 8)
            throw new PluginLoadException(PluginLoadError.WrongArchitecture, path, null,
                $"a {wordBits}-bit ELF file, the host process is {IntPtr.Size * 8}-bit");
        bool littleEndian = h[5] == 1;
        ushort type = littleEndian ? (ushort)(h[16] | h[17] << 8) : (ushort)(h[16] << 8 | h[17]);
        ushort machine = littleEndian ? (ushort)(h[18] | h[19] << 8) : (ushort)(h[18] << 8 | h[19]);
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
    }

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
}

/// <summary>The first bytes of a file through libc's open + pread + close: three system calls, no SafeHandle, no
/// fstat or flock. Any failure returns -1 and leaves the explaining to the managed path.</summary>
internal static unsafe class UnixHeader
{
    private const int ORdOnly = 0;
    private const int OCloexec = 0x80000; // O_CLOEXEC on every Linux architecture .NET runs on (02000000 octal)
    private const int MaxStackPathBytes = 4096; // PATH_MAX

    private static bool s_unavailable;

    [DllImport("libc", EntryPoint = "open")]
    private static extern int Open(byte* path, int flags);

    [DllImport("libc", EntryPoint = "pread")]
    private static extern nint Pread(int fd, byte* buffer, nuint count, long offset);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    /// <summary>Bytes read into <paramref name="header"/> (0 for an empty file), or -1 when the file could not be
    /// opened or read (or its path is too long for the stack buffer, or contains a NUL).</summary>
    public static int Read(string path, Span<byte> header)
    {
        if (s_unavailable || path.Length > MaxStackPathBytes / 3 || path.Contains('\0')) return -1;
        try
        {
            return ReadCore(path, header);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true; // a libc without these names: the managed path serves from now on
            return -1;
        }
    }

    private static int ReadCore(string path, Span<byte> header)
    {
        byte* cpath = stackalloc byte[MaxStackPathBytes + 1];
        int len = System.Text.Encoding.UTF8.GetBytes(path, new Span<byte>(cpath, MaxStackPathBytes));
        cpath[len] = 0;
        int fd = Open(cpath, ORdOnly | OCloexec);
        if (fd < 0) return -1;
        try
        {
            int read = 0;
            fixed (byte* buffer = header)
            {
                while (read < header.Length)
                {
                    nint n = Pread(fd, buffer + read, (nuint)(header.Length - read), read);
                    if (n < 0) return -1; // EISDIR for a directory, EIO, ...
                    if (n == 0) break;
                    read += (int)n;
                }
            }
            return read;
        }
        finally
        {
            Close(fd);
        }
    }
}
