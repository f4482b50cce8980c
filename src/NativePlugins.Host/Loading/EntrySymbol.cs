using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Rule P1 / H3: is the <c>np_entry</c> a library exports a function? Asked first of the dynamic loader, which has
/// the library's symbol table mapped already: glibc's <c>dladdr1(address, &amp;info, &amp;sym, RTLD_DL_SYMENT)</c>
/// returns the ELF symbol that contains the address dlsym gave, and its <c>st_info</c> holds the type. That costs
/// a hash lookup and no file I/O (the C host does the same). When the loader cannot answer (no dladdr1, as on musl
/// or old glibc without libdl in the process; no symbol at that address, as for a thread-local np_entry; or a symbol
/// of another name there, as for an alias or an STT_GNU_IFUNC whose resolved implementation dlsym returned), the
/// file's .dynsym decides (<see cref="ElfExports"/>), so the outcome never depends on which path answered.
/// </summary>
internal static unsafe class EntrySymbol
{
    private const int RtldDlSyment = 1; // <dlfcn.h>: ask dladdr1 for the ElfW(Sym)*

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public byte* dli_fname;
        public void* dli_fbase;
        public byte* dli_sname;
        public void* dli_saddr;
    }

    private static readonly delegate* unmanaged[Cdecl]<void*, DlInfo*, void**, int, int> s_dladdr1 = ResolveDladdr1();

    /// <summary>True when this process has glibc's dladdr1 (tests use it to know which path they exercise).</summary>
    internal static bool LoaderCanTell => s_dladdr1 != null;

    /// <summary>The kind of the symbol <c>np_entry</c> at <paramref name="address"/> (what dlsym returned) and its
    /// description for the EntryNotAFunction message.</summary>
    public static (ExportKind Kind, string Detail) Inspect(nint address, string file)
    {
        if (FromLoader(address, out var elfType) is var kind and not ExportKind.Unknown)
            return (kind, ElfExports.Describe(elfType));
        return ElfExports.Inspect(file, NpAbi.NP_ENTRY_SYMBOL_STRING);
    }

    /// <summary>The dynamic loader's answer, or Unknown when it has none (see the class comment).</summary>
    internal static ExportKind FromLoader(nint address, out int elfType)
    {
        elfType = -1;
        if (s_dladdr1 == null || address == 0) return ExportKind.Unknown;
        DlInfo info;
        void* sym = null;
        if (s_dladdr1((void*)address, &info, &sym, RtldDlSyment) == 0 || sym == null || info.dli_sname == null)
            return ExportKind.Unknown;
        if ((nint)info.dli_saddr != address ||
            !MemoryMarshal.CreateReadOnlySpanFromNullTerminated(info.dli_sname).SequenceEqual(NpAbi.NP_ENTRY_SYMBOL))
            return ExportKind.Unknown;
        // st_info: offset 4 in Elf64_Sym (after st_name), offset 12 in Elf32_Sym (after st_name, st_value, st_size).
        byte stInfo = ((byte*)sym)[IntPtr.Size == 8 ? 4 : 12];
        elfType = stInfo & 0xf;
        return ElfExports.Classify(elfType);
    }

    private static delegate* unmanaged[Cdecl]<void*, DlInfo*, void**, int, int> ResolveDladdr1()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            // glibc 2.34+ has dladdr1 in libc; before, in libdl, which the runtime itself links. Both are in the
            // global scope the main program's handle searches.
            if (NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "dladdr1", out var p) && p != 0)
                return (delegate* unmanaged[Cdecl]<void*, DlInfo*, void**, int, int>)p;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            // No answer from the loader: the file parser decides.
        }
        return null;
    }
}
