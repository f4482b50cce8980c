using System.Runtime.InteropServices;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// What a <see cref="NativeInstance"/> of an isolated library holds in place of an <c>InstanceHandle</c>: its
/// "instance pointer" is the native block the forwarders resolve to the <see cref="IsolatedInstance"/>, and its
/// vtable is a host-side copy whose functions are the generated forwarders (NULL where the plugin provides none).
/// Releasing it destroys the instance in its worker and frees both blocks; a SafeHandle, so an instance nobody
/// disposed is still destroyed.
/// </summary>
internal sealed unsafe class IsolatedInstanceHandle : SafeHandle
{
    private readonly IsolatedInstance _remote;

    public IsolatedInstanceHandle(IsolatedInstance remote, void* vtable) : base(0, ownsHandle: true)
    {
        _remote = remote;
        VTable = vtable;
        SetHandle(IsolatedInstance.AllocateSelf(remote));
    }

    public IsolatedInstance Remote => _remote;

    /// <summary>The forwarder vtable (<see cref="Interop.NativeInterfaceContract.Size"/> bytes, native memory).</summary>
    public void* VTable { get; }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        try
        {
            _remote.Dispose();
        }
        catch
        {
            // May run on the finalizer thread: nothing may escape.
        }
        finally
        {
            IsolatedInstance.FreeSelf(handle);
            NativeMemory.Free(VTable);
        }
        return true;
    }
}
