using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Tests.Infrastructure;

/// <summary>
/// A caller-owned np_out_bytes_t in native memory (nplug/np_types.h): growable through reserve (which counts its
/// calls and may refuse past a byte limit) or fixed (reserve NULL).
/// </summary>
internal sealed unsafe class NativeOutBytes : IDisposable
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Context
    {
        public ulong MaxBytes;
        public long ReserveCalls;
    }

    private readonly Context* _context;

    public NativeOutBytes(ulong capacity = 4, bool growable = true, ulong maxBytes = ulong.MaxValue, string prefix = "")
    {
        Pointer = (np_out_bytes_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_out_bytes_t));
        Pointer->struct_size = (uint)sizeof(np_out_bytes_t);
        Pointer->data = (byte*)NativeMemory.Alloc((nuint)Math.Max(capacity, 1));
        Pointer->capacity = capacity;
        _context = (Context*)NativeMemory.AllocZeroed((nuint)sizeof(Context));
        _context->MaxBytes = maxBytes;
        Pointer->context = _context;
        Pointer->reserve = growable ? &Reserve : null;
        byte[] bytes = Encoding.UTF8.GetBytes(prefix);
        Assert.True((ulong)bytes.Length <= capacity, "the prefix must fit the initial capacity");
        bytes.CopyTo(new Span<byte>(Pointer->data, bytes.Length));
        Pointer->len = (ulong)bytes.Length;
    }

    public np_out_bytes_t* Pointer { get; }

    public long ReserveCalls => _context->ReserveCalls;

    public override string ToString() => Encoding.UTF8.GetString(Pointer->data, (int)Pointer->len);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Reserve(np_out_bytes_t* o, ulong additional)
    {
        var context = (Context*)o->context;
        context->ReserveCalls++;
        ulong needed = o->len + additional;
        if (needed > context->MaxBytes)
            return NpAbi.NP_ERR_OUT_OF_MEMORY;
        if (needed > o->capacity)
        {
            ulong capacity = Math.Max(needed, o->capacity * 2);
            o->data = (byte*)NativeMemory.Realloc(o->data, (nuint)capacity);
            o->capacity = capacity;
        }
        return NpAbi.NP_OK;
    }

    public void Dispose()
    {
        NativeMemory.Free(Pointer->data);
        NativeMemory.Free(_context);
        NativeMemory.Free(Pointer);
    }
}
