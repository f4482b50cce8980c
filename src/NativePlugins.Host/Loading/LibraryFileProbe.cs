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

    /// <summary>Throws a <see cref="PluginLoadException"/> when the file cannot be a library of this process.</summary>
    public static void Check(string path)
    {
        Span<byte> header = stackalloc byte[64];
        int read;
        try
        {
            // One open + fstat + pread: no FileInfo stat and no FileStream (this runs on every load).
            using var file = OpenOrThrowNotFound(path);
            if (RandomAccess.GetLength(file) == 0)
                throw new PluginLoadException(PluginLoadError.EmptyFile, path, null, "the file is empty (0 bytes)");
            read = 0;
            while (read < header.Length)
            {
                int n = RandomAccess.Read(file, header[read..], read);
                if (n <= 0) break;
                read += n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginLoadException(PluginLoadError.LoadFailed, path, null, $"cannot read the file: {e.Message}", e);
        }

        header = header[..read];
        if (OperatingSystem.IsWindows()) CheckPe(path, header);
        else if (OperatingSystem.IsMacOS()) CheckMachO(path, header);
        else CheckElf(path, header);
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
