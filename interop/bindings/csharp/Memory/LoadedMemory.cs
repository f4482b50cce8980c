using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativePlugins.Interop;

/// <summary>
/// Rule H3, pointers: is the memory a library's pointer names mapped, readable for the whole extent the host will read
/// (data), or executable (functions)? A host asks before it dereferences or calls anything a library handed over, so
/// that a garbage pointer is a typed refusal (NativePlugins.Host: <c>PluginLoadError.InvalidPointer</c>; <c>nplug
/// check</c>: a failed descriptor check naming the field) instead of a SIGSEGV that ends the process. One
/// implementation for every C# reader of descriptors.
/// </summary>
/// <remarks>
/// Not "inside the library's own loaded segments": C# plugins build their descriptors in native heap memory (the
/// PluginSdk allocates them), and a hosted C# plugin's functions are JIT-compiled stubs in the runtime's executable
/// heap, both valid. The rule is therefore what the processor needs, a readable mapping for data and an executable
/// mapping for code, and it is answered in two steps so that a load stays cheap:
/// <list type="number">
/// <item>The library's own PT_LOAD segments (dl_iterate_phdr, once per load, stopping at the object that contains
/// <c>np_entry</c>): a C or Rust library's descriptors, strings and functions are all there, so a good native library
/// costs one walk of the loaded-object list and no system call per pointer.</item>
/// <item>Anything else (heap memory, another object's code, a bogus address) is looked up in <c>/proc/self/maps</c>,
/// read once per load on the first such pointer, after np_entry returned (so that memory the library allocated in
/// np_entry is in it). A range may span adjacent mappings; each must have the permission.</item>
/// </list>
/// Where neither is available (not Linux) every pointer is taken as valid, as before this check existed. The answer is
/// a snapshot: a library that unmaps its own descriptors later is beyond what any check before the call can see.
/// </remarks>
public sealed unsafe class LoadedMemory
{
    private const uint PtLoad = 1, PfX = 1, PfR = 4;

    /// <summary>A memory check that accepts every non-NULL pointer: platforms without /proc/self/maps, and tests that
    /// validate descriptors built in memory with placeholder functions.</summary>
    public static readonly LoadedMemory Unchecked = new(0, enabled: false);

    private readonly bool _enabled;
    private readonly Segment[] _own;
    private Segment[]? _maps;

    private LoadedMemory(nint anchor, bool enabled)
    {
        _enabled = enabled;
        _own = enabled && anchor != 0 ? OwnSegments(anchor) : [];
    }

    /// <summary>The check for one load: <paramref name="anchor"/> is an address inside the library (its
    /// np_entry), whose segments answer first; 0 when there is none (every pointer then goes to the process map).</summary>
    public static LoadedMemory ForLibrary(nint anchor) =>
        OperatingSystem.IsLinux() ? new LoadedMemory(anchor, enabled: true) : Unchecked;

    /// <summary>True once a pointer outside the library's own segments made this check read /proc/self/maps (tests:
    /// a C library's load must not need it).</summary>
    public bool ReadProcessMap => _maps is not null;

    /// <summary>True when <paramref name="length"/> bytes from <paramref name="p"/> can be read (false for NULL
    /// or a range that wraps).</summary>
    public bool IsReadable(void* p, ulong length) => Allows((nuint)p, length == 0 ? 1 : length, PfR);

    /// <summary>True when <paramref name="p"/> is in executable memory.</summary>
    public bool IsExecutable(void* p) => Allows((nuint)p, 1, PfX);

    private bool Allows(nuint start, ulong length, uint permission)
    {
        if (!_enabled) return true;
        if (start == 0 || length > nuint.MaxValue - start) return false;
        nuint end = start + (nuint)length;
        foreach (var s in _own)
            if (s.Start <= start && end <= s.End && (s.Flags & permission) != 0) return true;
        return Covered(_maps ??= ProcessMaps(), start, end, permission);
    }

    /// <summary>True when [start, end) lies in mappings with the permission, adjacent ones allowed.</summary>
    private static bool Covered(Segment[] maps, nuint start, nuint end, uint permission)
    {
        // The maps are sorted and disjoint: binary search for the last mapping starting at or before start.
        int lo = 0, hi = maps.Length - 1, at = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (maps[mid].Start <= start) { at = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (at < 0) return false;
        nuint reached = start;
        for (int i = at; i < maps.Length; i++)
        {
            var m = maps[i];
            if (m.Start > reached || reached >= m.End || (m.Flags & permission) == 0) return false;
            reached = m.End;
            if (reached >= end) return true;
        }
        return false;
    }

    private readonly record struct Segment(nuint Start, nuint End, uint Flags);

    // ---- step 1: the library's own segments ------------------------------------------------------------------------

    [StructLayout(LayoutKind.Sequential)]
    private struct DlPhdrInfo
    {
        public nuint dlpi_addr;
        public byte* dlpi_name;
        public byte* dlpi_phdr;
        public ushort dlpi_phnum;
    }

    private const int MaxOwnSegments = 16;

    [StructLayout(LayoutKind.Sequential)]
    private struct Search
    {
        public nuint Anchor;
        public int Count;
        public fixed ulong Start[MaxOwnSegments];
        public fixed ulong End[MaxOwnSegments];
        public fixed uint Flags[MaxOwnSegments];
    }

    private static readonly delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<DlPhdrInfo*, nuint, void*, int>, void*, int>
        s_iteratePhdr = ResolveIteratePhdr();

    private static Segment[] OwnSegments(nint anchor)
    {
        // Elf64_Phdr only: on a 32-bit process every pointer goes to the process map (correct, slower).
        if (s_iteratePhdr == null || IntPtr.Size != 8) return [];
        Search search = default;
        search.Anchor = (nuint)anchor;
        s_iteratePhdr(&OnObject, &search);
        var segments = new Segment[search.Count];
        for (int i = 0; i < segments.Length; i++)
            segments[i] = new Segment((nuint)search.Start[i], (nuint)search.End[i], search.Flags[i]);
        return segments;
    }

    /// <summary>dl_iterate_phdr's callback: nonzero (stop) at the object one of whose PT_LOAD segments contains the
    /// anchor, after copying its PT_LOAD segments.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnObject(DlPhdrInfo* info, nuint size, void* data)
    {
        var search = (Search*)data;
        const int phdrSize = 56, typeAt = 0, flagsAt = 4, vaddrAt = 16, memszAt = 40; // Elf64_Phdr
        bool mine = false;
        for (int i = 0; i < info->dlpi_phnum && !mine; i++)
        {
            byte* ph = info->dlpi_phdr + i * phdrSize;
            if (*(uint*)(ph + typeAt) != PtLoad) continue;
            nuint start = info->dlpi_addr + (nuint)(*(ulong*)(ph + vaddrAt));
            nuint end = start + (nuint)(*(ulong*)(ph + memszAt));
            mine = start <= search->Anchor && search->Anchor < end;
        }
        if (!mine) return 0;
        for (int i = 0; i < info->dlpi_phnum && search->Count < MaxOwnSegments; i++)
        {
            byte* ph = info->dlpi_phdr + i * phdrSize;
            if (*(uint*)(ph + typeAt) != PtLoad) continue;
            nuint start = info->dlpi_addr + (nuint)(*(ulong*)(ph + vaddrAt));
            int k = search->Count++;
            search->Start[k] = start;
            search->End[k] = start + (nuint)(*(ulong*)(ph + memszAt));
            search->Flags[k] = *(uint*)(ph + flagsAt) & (PfR | PfX);
        }
        return 1;
    }

    private static delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<DlPhdrInfo*, nuint, void*, int>, void*, int>
        ResolveIteratePhdr()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "dl_iterate_phdr", out var p)
                ? (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<DlPhdrInfo*, nuint, void*, int>, void*, int>)p
                : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return null; // the process map answers alone
        }
    }

    // ---- step 2: the process map -----------------------------------------------------------------------------------

    /// <summary>/proc/self/maps as sorted segments ("start-end perms ..." per line; r and x become PF_R and PF_X).
    /// An unreadable map (no procfs) yields no segments: every pointer outside the library's own segments is then
    /// refused, which is the safe answer.</summary>
    private static Segment[] ProcessMaps()
    {
        byte[] text;
        try
        {
            text = File.ReadAllBytes("/proc/self/maps");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        var list = new List<Segment>(text.Length / 64);
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            int eol = span.IndexOf((byte)'\n');
            var line = eol < 0 ? span : span[..eol];
            span = eol < 0 ? default : span[(eol + 1)..];
            int dash = line.IndexOf((byte)'-'), space = line.IndexOf((byte)' ');
            if (dash <= 0 || space <= dash || line.Length < space + 4) continue;
            if (!TryHex(line[..dash], out var start) || !TryHex(line[(dash + 1)..space], out var end)) continue;
            uint flags = (line[space + 1] == (byte)'r' ? PfR : 0) | (line[space + 3] == (byte)'x' ? PfX : 0);
            list.Add(new Segment(start, end, flags));
        }
        return [.. list];
    }

    private static bool TryHex(ReadOnlySpan<byte> digits, out nuint value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 2 * IntPtr.Size) return false;
        foreach (var c in digits)
        {
            uint d = c is >= (byte)'0' and <= (byte)'9' ? (uint)(c - '0') : c is >= (byte)'a' and <= (byte)'f' ? (uint)(c - 'a' + 10) : 16;
            if (d == 16) return false;
            value = (value << 4) | d;
        }
        return true;
    }
}
