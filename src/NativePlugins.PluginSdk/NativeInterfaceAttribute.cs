namespace NativePlugins.PluginSdk;

/// <summary>
/// Marks a C# interface as the plugin side of a native interface (interop/interfaces.md): a [NativePlugin] class that
/// implements it is exported with that interface's vtable. `nplug bindgen` puts it on the interfaces it generates
/// (<c>Greeter.Plugin.g.cs</c>: <c>[NativeInterface("acme.greeter/1", typeof(AcmeGreeterV1Exports))] public interface
/// IAcmeGreeterV1</c>); there is rarely a reason to write it by hand.
/// </summary>
/// <remarks>
/// The SDK's source generator reads the attribute at compile time and emits, per plugin and interface, a create
/// function and the descriptor entry. It calls two static members of <paramref name="exports"/> that bindgen
/// generates: <c>void* BuildVTable(delegate* unmanaged[Cdecl]&lt;np_host_t*, np_str_t, void**, np_error_t*, int&gt;
/// create)</c> (the process-lifetime vtable around the plugin's create) and <c>np_interface_layout_t Layout</c> (the
/// interface fingerprint and layout report for <c>np_plugin_descriptor_t.interface_layouts</c>). Nothing is looked up
/// at run time: the attribute only feeds the generator, so NativeAOT needs no reflection.
/// </remarks>
/// <param name="id">The interface id, <c>ns.name/revision</c> (the header's <c>@interface</c> id).</param>
/// <param name="exports">The generated class holding the interface's exports.</param>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class NativeInterfaceAttribute(string id, Type exports) : Attribute
{
    /// <summary>The interface id, <c>ns.name/revision</c>.</summary>
    public string Id { get; } = id;

    /// <summary>The generated class with <c>BuildVTable</c> and <c>Layout</c>.</summary>
    public Type Exports { get; } = exports;
}
