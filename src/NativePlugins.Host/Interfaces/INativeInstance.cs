using NativePlugins.Interop;

namespace NativePlugins.Hosting;

/// <summary>
/// What <see cref="PluginLibrary.Create{T}"/> needs of a typed wrapper of an interface with instances: the contract
/// it was generated for and a factory. Implemented by the wrappers <c>nplug bindgen</c> generates
/// (<c>Greeter.Host.g.cs</c>); the factory only hands the already created instance to the wrapper's constructor.
/// </summary>
/// <typeparam name="TSelf">The wrapper type itself.</typeparam>
public interface INativeInstance<TSelf> where TSelf : NativeInstance, INativeInstance<TSelf>
{
    /// <summary>The interface the wrapper calls (its generated <c>&lt;VTable&gt;Contract.Value</c>). The host must have
    /// registered it (<see cref="PluginHostOptions.Interfaces"/>).</summary>
    static abstract NativeInterfaceContract Contract { get; }

    /// <summary>Wraps an instance the host created and validated.</summary>
    static abstract TSelf Create(NativeInstanceState state);
}
