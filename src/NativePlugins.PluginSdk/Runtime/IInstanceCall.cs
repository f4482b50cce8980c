using System.ComponentModel;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// One call of an instance method of a user interface, as bindgen's generated exports write it: a struct carrying the
/// C arguments, whose <see cref="Invoke"/> decodes them (through <see cref="InterfaceArguments"/>, which throws a
/// <see cref="PluginException"/> naming the parameter for what a host must not pass, rule P6) and calls the plugin's
/// interface method. <see cref="InstanceExports.Call{TTarget, TCall}"/> runs it inside the SDK's exception boundary
/// once the instance is found, live and not busy. A struct type argument makes every function its own
/// specialization: no allocation, no delegate, nothing NativeAOT would have to find by reflection.
/// </summary>
/// <typeparam name="TTarget">The generated C# interface (<c>IAcmeGreeterV1</c>).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IInstanceCall<in TTarget>
    where TTarget : class
{
    /// <summary>Runs the call on the plugin object; returns the status (NP_OK, unless the function returns no
    /// status). A result the function returns by value is stored in the struct for the generated thunk to read.</summary>
    int Invoke(TTarget target);
}
