using NativePlugins.Interop;

namespace Acme.Greeter;

/// <summary>
/// The contract of acme.greeter/1 as `nplug bindgen` describes it in <c>csharp/Greeter.g.cs</c> (the layout of
/// <c>acme_greeter_v1_t</c> from tests/examples/greeter/include/acme/greeter.h, its functions and roles), written out
/// here because the generated wrapper of Generated/csharp/Greeter.Host.g.cs refers to it by that name. The host tests
/// check that its fingerprints equal the ones the test plugins were built with, so a drift from the header fails.
/// </summary>
public static class AcmeGreeterV1Contract
{
    private const string Create = "int32_t (*)(const np_host_t *, np_str_t, acme_greeter_t **, np_error_t *)";
    private const string Destroy = "void (*)(acme_greeter_t *)";
    private const string Greet = "int32_t (*)(acme_greeter_t *, np_str_t, np_out_bytes_t *, np_error_t *)";
    private const string Add = "int32_t (*)(acme_greeter_t *, int64_t, int64_t, int64_t *, np_error_t *)";
    private const string Count = "uint64_t (*)(const acme_greeter_t *)";

    /// <summary>The layout of <c>acme_greeter_v1_t</c> (x86-64).</summary>
    public static NpStructLayout VTable { get; } = new("acme_greeter_v1_t", 48, 8, 0,
    [
        new NpFieldLayout("struct_size", "uint32_t", "uint32_t", 0, 4, 0),
        new NpFieldLayout("reserved", "uint32_t", "uint32_t", 4, 4, 0),
        new NpFieldLayout("create", Create, Create, 8, 8, 0),
        new NpFieldLayout("destroy", Destroy, Destroy, 16, 8, 0),
        new NpFieldLayout("greet", Greet, Greet, 24, 8, 0),
        new NpFieldLayout("add", Add, Add, 32, 8, 0),
        new NpFieldLayout("count", Count, Count, 40, 8, 1),
    ]);

    public static NativeInterfaceContract Value { get; } = new("acme.greeter/1", 1, [VTable],
    [
        new NativeInterfaceFunction("create", 8, true, 0, NativeFunctionRole.Create),
        new NativeInterfaceFunction("destroy", 16, true, 0, NativeFunctionRole.Destroy),
        new NativeInterfaceFunction("greet", 24, true, 0, NativeFunctionRole.Method),
        new NativeInterfaceFunction("add", 32, true, 0, NativeFunctionRole.Method),
        new NativeInterfaceFunction("count", 40, false, 1, NativeFunctionRole.Method),
    ]);
}
