using System.Runtime.InteropServices;
using NativePlugins.Hosting.Loading;
using NativePlugins.Hosting.Services;

namespace NativePlugins.Hosting.Instances;

/// <summary>
/// Owns one plugin instance pointer: an <c>np_instance_t*</c> of <c>np.transform/1</c> or the opaque instance of a
/// host-registered interface (<c>acme_greeter_t*</c>); both are destroyed through a <c>void (*)(T *)</c>, so one
/// handle serves every interface. Calls do not reference-count it: the instance's <see cref="CallGate"/> decides
/// when no call is in flight any more and only then disposes this handle. Being a SafeHandle (a critical
/// finalizer) it still destroys an instance nobody disposed. Releasing destroys the instance, then frees its host
/// table (rule H7: valid until destroy returns), then drops the instance's reference on its library (rule H6).
/// </summary>
internal sealed unsafe class InstanceHandle : SafeHandle
{
    private readonly delegate* unmanaged[Cdecl]<void*, void> _destroy;
    private readonly LibraryHandle _library;
    private readonly HostTable _table;

    /// <param name="instance">What the plugin's create returned (non-NULL).</param>
    /// <param name="destroy">The plugin's destroy for it (validated non-NULL at load).</param>
    /// <param name="library">The library the instance holds a reference on (DangerousAddRef by the caller); released
    /// here after destroy.</param>
    /// <param name="table">The instance's own np_host_t, freed after destroy.</param>
    public InstanceHandle(void* instance, delegate* unmanaged[Cdecl]<void*, void> destroy, LibraryHandle library,
        HostTable table) : base(0, ownsHandle: true)
    {
        SetHandle((nint)instance);
        _destroy = destroy;
        _library = library;
        _table = table;
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The instance pointer, as the plugin's functions take it.</summary>
    public void* Pointer => (void*)handle;

    public HostTable Table => _table;

    protected override bool ReleaseHandle()
    {
        try
        {
            _destroy((void*)handle);
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
