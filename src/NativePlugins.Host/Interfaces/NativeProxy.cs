using System.ComponentModel;
using System.Runtime.InteropServices;
using NativePlugins.Hosting.Isolation;
using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// What a typed wrapper needs to call an instance in a worker process (<see cref="PluginHostOptions.Isolation"/>):
/// the interface's signature description and the generated forwarders, one <c>[UnmanagedCallersOnly]</c> function
/// per vtable function with the vtable's own signature. An isolated instance's vtable is made of these forwarders,
/// so the wrapper calls it exactly as in-process; a forwarder packs its arguments into slots and calls
/// <see cref="Invoke"/>, which sends the whole call to the worker in one request (the worker calls the plugin from
/// the same description). Emitted by <c>nplug bindgen</c> (<c>Greeter.Proxy.g.cs</c>) for interfaces whose functions
/// take only integers, <c>np_str_t</c>, <c>np_bytes_t</c>, an <c>out_*</c> integer, <c>np_out_bytes_t *</c> and a
/// final <c>np_error_t *</c>; for generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class NativeProxy
{
    /// <param name="contract">The contract the forwarders were generated for.</param>
    /// <param name="description">One line per function of <see cref="NativeInterfaceContract.Functions"/>, in its
    /// order (native/worker/include/npw_protocol.h, NPW_OP_CALL_CREATE).</param>
    /// <param name="forwarders">Per function of the contract, its forwarder (0 for @create and @destroy).</param>
    public NativeProxy(NativeInterfaceContract contract, string description, nint[] forwarders)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(forwarders);
        Contract = contract;
        Description = description;
        Functions = ProxySignature.Parse(contract, description);
        if (forwarders.Length != Functions.Length)
            throw new ArgumentException($"{contract.Id}: {forwarders.Length} forwarders for {Functions.Length} functions", nameof(forwarders));
        Forwarders = forwarders;
    }

    /// <summary>The contract the proxy serves.</summary>
    public NativeInterfaceContract Contract { get; }

    /// <summary>The signature description, as the worker reads it.</summary>
    public string Description { get; }

    internal ProxyFunction[] Functions { get; }

    internal nint[] Forwarders { get; }

    /// <summary>
    /// The call of a forwarder: function <paramref name="function"/> of the contract on the instance
    /// <paramref name="self"/> (the pointer the wrapper passed first), its parameters after the instance in
    /// <paramref name="slots"/> (an integer's bits; an <c>np_str_t</c>/<c>np_bytes_t</c> as pointer and length; a
    /// pointer as its address). Returns the function's return value (its bits). Never throws: a crash, a hang or a
    /// broken rule in the worker is kept for the wrapper, which throws it when the call ends (<c>ExitCall</c>), and the
    /// forwarder returns NP_ERR_STATE (or 0) meanwhile.
    /// </summary>
    public static ulong Invoke(void* self, int function, ulong* slots)
    {
        IsolatedInstance.ClearPendingFault();
        try
        {
            var remote = (IsolatedInstance)GCHandle.FromIntPtr(*(nint*)self).Target!;
            return remote.Call(function, slots);
        }
        catch (Exception e)
        {
            IsolatedInstance.SetPendingFault(e);
            return unchecked((ulong)(uint)NpAbi.NP_ERR_STATE);
        }
    }
}
