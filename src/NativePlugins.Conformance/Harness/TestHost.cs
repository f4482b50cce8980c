using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// A host service table (np_host_t) that watches the plugin: a counting allocator that knows every live block with
/// its size and alignment (rule P4: balanced after destroy/deinit, nothing freed across allocators), a log that
/// keeps the lines, and the host-call guard for np_entry and [leaf] functions. The library gets one table at init
/// and every instance its own at create, so allocations can be attributed.
/// </summary>
internal sealed unsafe class TestHost : IDisposable
{
    /// <summary>Allocations larger than this fail (return NULL): a plugin asking for more is broken or hostile.</summary>
    public const ulong MaxAllocation = 1UL << 30;

    private static readonly ConcurrentDictionary<long, TestHost> s_live = new();
    private static readonly ConcurrentQueue<string> s_staleCalls = new();
    private static long s_nextId;
    private static readonly byte[] s_name = "nplug-check"u8.ToArray();
    private static readonly byte[] s_version = Encoding.UTF8.GetBytes(
        typeof(TestHost).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    private static readonly IntPtr s_nameNative = Pin(s_name);
    private static readonly IntPtr s_versionNative = Pin(s_version);

    private readonly long _id;
    private readonly ConcurrentDictionary<IntPtr, (ulong Size, ulong Align)> _blocks = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentQueue<string> _logs = new();
    private long _allocations, _frees, _logCount, _extensionLookups;

    public TestHost(string label, uint abiMinor)
    {
        Label = label;
        _id = Interlocked.Increment(ref s_nextId);
        // The table stays allocated for the life of the process: a plugin that keeps it past destroy/deinit reads
        // stale but mapped memory, and its calls land in RecordStale instead of crashing the check.
        Table = (np_host_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_host_t));
        Table->struct_size = (uint)sizeof(np_host_t);
        Table->abi_minor = abiMinor;
        Table->name = new np_str_t { ptr = (byte*)s_nameNative, len = (ulong)s_name.Length };
        Table->version = new np_str_t { ptr = (byte*)s_versionNative, len = (ulong)s_version.Length };
        Table->host_data = (void*)_id;
        Table->log = &Log;
        Table->alloc = &Alloc;
        Table->free = &Free;
        Table->get_extension = &GetExtension;
        s_live[_id] = this;
    }

    public string Label { get; }
    public np_host_t* Table { get; }

    /// <summary>When true, alloc returns NULL (to see that a plugin reports NP_ERR_OUT_OF_MEMORY).</summary>
    public bool FailAllocations { get; set; }

    public long Allocations => Interlocked.Read(ref _allocations);
    public long Frees => Interlocked.Read(ref _frees);
    public long LogCount => Interlocked.Read(ref _logCount);
    public long ExtensionLookups => Interlocked.Read(ref _extensionLookups);

    /// <summary>Blocks allocated through this table and not freed yet.</summary>
    public IReadOnlyList<(IntPtr Ptr, ulong Size, ulong Align)> Outstanding =>
        _blocks.Select(kv => (kv.Key, kv.Value.Size, kv.Value.Align)).ToList();

    /// <summary>Misuse of the table seen so far: frees of unknown pointers, size/align mismatches, bad alignments.</summary>
    public IReadOnlyList<string> Problems => _problems.ToList();

    public IReadOnlyList<string> Logs => _logs.ToList();

    /// <summary>Calls through tables whose owner was already released (a plugin that kept a table past destroy or
    /// deinit), process-wide.</summary>
    public static List<string> DrainStaleCalls()
    {
        var list = new List<string>();
        while (s_staleCalls.TryDequeue(out var v)) list.Add(v);
        return list;
    }

    /// <summary>Unregisters the table. Its memory stays mapped (see the constructor); blocks still outstanding are
    /// left to the plugin, which may still be using them.</summary>
    public void Dispose() => s_live.TryRemove(_id, out _);

    private static IntPtr Pin(byte[] bytes)
    {
        var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        return (IntPtr)p;
    }

    private static TestHost? Owner(np_host_t* host, string callback)
    {
        HostCallGuard.Record(callback);
        if (host == null)
        {
            s_staleCalls.Enqueue($"host.{callback} was called with a NULL table");
            return null;
        }
        var id = (long)host->host_data;
        if (s_live.TryGetValue(id, out var owner)) return owner;
        s_staleCalls.Enqueue($"host.{callback} was called through a table after the destroy/deinit it belonged to returned");
        return null;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Log(np_host_t* host, int level, np_str_t message)
    {
        var self = Owner(host, "log");
        if (self is null) return;
        Interlocked.Increment(ref self._logCount);
        var bytes = NativeText.TryCopyBytes(message, NativeText.MaxDescriptorStringBytes, out var problem);
        if (bytes is null) { self._problems.Enqueue($"log: message {problem}"); return; }
        if (level is < NpAbi.NP_LOG_TRACE or > NpAbi.NP_LOG_ERROR) self._problems.Enqueue($"log: unknown level {level}");
        if (!NativeText.IsUtf8(bytes)) self._problems.Enqueue($"log: message is not valid UTF-8: {NativeText.Quote(bytes)}");
        if (self._logs.Count < 64) self._logs.Enqueue($"[{level}] {NativeText.Show(bytes, 200)}");
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Alloc(np_host_t* host, ulong size, ulong align)
    {
        var self = Owner(host, "alloc");
        if (self is null) return null;
        if (align == 0 || (align & (align - 1)) != 0 || align > 4096)
        {
            self._problems.Enqueue($"alloc: alignment {align} is not a power of two of at most 4096");
            return null;
        }
        if (self.FailAllocations || size > MaxAllocation) return null;
        void* p;
        try { p = NativeMemory.AlignedAlloc((nuint)Math.Max(size, 1), (nuint)align); }
        catch (OutOfMemoryException) { return null; } // an exception must never leave an UnmanagedCallersOnly method
        if (p == null) return null;
        self._blocks[(IntPtr)p] = (size, align);
        Interlocked.Increment(ref self._allocations);
        return p;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(np_host_t* host, void* ptr, ulong size, ulong align)
    {
        var self = Owner(host, "free");
        if (self is null || ptr == null) return;
        if (!self._blocks.TryRemove((IntPtr)ptr, out var block))
        {
            // Not ours: a double free, a pointer from another table or another allocator. Leave it alone.
            self._problems.Enqueue(
                $"free: 0x{(ulong)ptr:x} was not allocated by this table (double free, or freed across tables/allocators)");
            return;
        }
        if (block.Size != size || block.Align != align)
            self._problems.Enqueue(
                $"free: 0x{(ulong)ptr:x} freed with size {size}, align {align} but allocated with size {block.Size}, align {block.Align}");
        Interlocked.Increment(ref self._frees);
        NativeMemory.AlignedFree(ptr);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* GetExtension(np_host_t* host, np_str_t id)
    {
        var self = Owner(host, "get_extension");
        if (self is null) return null;
        Interlocked.Increment(ref self._extensionLookups);
        var bytes = NativeText.TryCopyBytes(id, NativeText.MaxDescriptorStringBytes, out var problem);
        if (bytes is null) self._problems.Enqueue($"get_extension: id {problem}");
        return null; // this host offers no extension
    }
}
