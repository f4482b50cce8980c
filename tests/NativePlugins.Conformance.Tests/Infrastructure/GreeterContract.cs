using NativePlugins.Interop;

namespace NativePlugins.Conformance.Tests;

/// <summary>
/// The contract of acme.greeter/1 (tests/examples/greeter/include/acme/greeter.h), written out by hand from the header
/// and the canonical-type rules of interop/generator/README.md: the interface checks' tests need one that does not
/// come from the code they test (nplug check reads bindgen's manifest); InterfaceCheckTests compares the two.
/// </summary>
public static class GreeterContract
{
    public const string Id = "acme.greeter/1";

    private static NpFieldLayout F(string name, string canonical, uint offset, uint size, uint since = 0) =>
        new(name, canonical, canonical, offset, size, since);

    /// <summary>The vtable as the x86-64 System V ABI lays out the header.</summary>
    public static IReadOnlyList<NpStructLayout> Structs { get; } =
    [
        new("acme_greeter_v1_t", 48, 8, 0,
        [
            F("struct_size", "uint32_t", 0, 4),
            F("reserved", "uint32_t", 4, 4),
            F("create", "int32_t (*)(const np_host_t *, np_str_t, acme_greeter_t **, np_error_t *)", 8, 8),
            F("destroy", "void (*)(acme_greeter_t *)", 16, 8),
            F("greet", "int32_t (*)(acme_greeter_t *, np_str_t, np_out_bytes_t *, np_error_t *)", 24, 8),
            F("add", "int32_t (*)(acme_greeter_t *, int64_t, int64_t, int64_t *, np_error_t *)", 32, 8),
            F("count", "uint64_t (*)(const acme_greeter_t *)", 40, 8, since: 1),
        ]),
    ];

    public static IReadOnlyList<NativeInterfaceFunction> Functions { get; } =
    [
        new("create", 8, true, 0, NativeFunctionRole.Create),
        new("destroy", 16, true, 0, NativeFunctionRole.Destroy),
        new("greet", 24, true, 0, NativeFunctionRole.Method),
        new("add", 32, true, 0, NativeFunctionRole.Method),
        new("count", 40, false, 1, NativeFunctionRole.Method),
    ];

    public static NativeInterfaceContract Value { get; } = new(Id, 1, Structs, Functions);

    /// <summary>bindgen's manifest of the greeter, relative to the repository root (what expected.txt passes as
    /// <c>--interface</c>).</summary>
    public const string ManifestPath = "tests/examples/greeter/generated/layout/greeter.layout.g.json";
}
