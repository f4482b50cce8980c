using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>
/// A minimal np_host_t for tests that talk to plugins through the generated bindings only: log lines are collected,
/// allocations are counted (rule P4), get_extension offers nothing. One table per instance of this class; the
/// tables are never freed (plugins may keep them until deinit/destroy, and tests are short-lived).
/// </summary>
internal sealed unsafe class NativeTestHost
{
    private static readonly ConcurrentDictionary<nint, NativeTestHost> s_hosts = new();
    private readonly ConcurrentQueue<(int Level, string Message)> _log = new();
    private long _liveAllocations;

    public NativeTestHost(string name = "sdk-tests")
    {
        Table = (np_host_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_host_t));
        Table->struct_size = (uint)sizeof(np_host_t);
        Table->abi_minor = NpAbi.NP_ABI_MINOR;
        Table->name = Utf8(name);
        Table->version = Utf8("0.1.0");
        Table->log = &Log;
        Table->alloc = &Alloc;
        Table->free = &Free;
        Table->get_extension = &GetExtension;
        s_hosts[(nint)Table] = this;
    }

    public np_host_t* Table { get; }

    public IReadOnlyCollection<(int Level, string Message)> LogLines => _log;

    public long LiveAllocations => Interlocked.Read(ref _liveAllocations);

    private static np_str_t Utf8(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        byte* memory = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(memory, bytes.Length));
        return new np_str_t { ptr = memory, len = (ulong)bytes.Length };
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Log(np_host_t* host, int level, np_str_t message)
    {
        if (s_hosts.TryGetValue((nint)host, out NativeTestHost? self))
            self._log.Enqueue((level, Encoding.UTF8.GetString(message.ptr, (int)message.len)));
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Alloc(np_host_t* host, ulong size, ulong align)
    {
        if (s_hosts.TryGetValue((nint)host, out NativeTestHost? self))
            Interlocked.Increment(ref self._liveAllocations);
        return NativeMemory.AlignedAlloc((nuint)Math.Max(size, 1), (nuint)align);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(np_host_t* host, void* pointer, ulong size, ulong align)
    {
        if (pointer is null)
            return;
        if (s_hosts.TryGetValue((nint)host, out NativeTestHost? self))
            Interlocked.Decrement(ref self._liveAllocations);
        NativeMemory.AlignedFree(pointer);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* GetExtension(np_host_t* host, np_str_t id) => null;
}
