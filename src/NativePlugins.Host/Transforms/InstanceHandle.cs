using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Services;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Transforms;

/// <summary>
/// Owns one <c>np_instance_t*</c>. Calls do not reference-count it: the instance's <see cref="CallGate"/> decides
/// when no call is in flight any more and only then disposes this handle. Being a SafeHandle (a critical
/// finalizer) it still destroys an instance nobody disposed. Releasing destroys the instance, then frees its host
/// table (rule H7: valid until destroy returns), then drops the instance's reference on its library (rule H6).
/// </summary>
internal sealed unsafe class InstanceHandle : SafeHandle
{
    private readonly delegate* unmanaged[Cdecl]<np_instance_t*, void> _destroy;
    private readonly LibraryHandle _library;
    private readonly HostTable _table;

    public InstanceHandle(np_instance_t* instance, delegate* unmanaged[Cdecl]<np_instance_t*, void> destroy,
        LibraryHandle library, HostTable table) : base(0, ownsHandle: true)
    {
        SetHandle((nint)instance);
        _destroy = destroy;
        _library = library;
        _table = table;
    }

    public override bool IsInvalid => handle == 0;

    public np_instance_t* Instance => (np_instance_t*)handle;

    public HostTable Table => _table;

    protected override bool ReleaseHandle()
    {
        try
        {
            _destroy((np_instance_t*)handle);
            var live = _table.Context.Counters.LiveAllocations;
            if (live != 0)
                _table.Context.Warn($"{live} host allocation(s) still live after destroy (rule P4)");
        }
        catch
        {
            // May run on the finalizer thread: nothing may escape.
        }
        finally
        {
            _table.Dispose();
            _library.DangerousRelease();
        }
        return true;
    }
}
