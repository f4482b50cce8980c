namespace NativePlugins.PluginSdk.Tests.Interfaces;

/// <summary>
/// The raw declarations of acme.greeter/1 exactly as interop/interfaces.md says `nplug bindgen` writes them into
/// csharp/Greeter.g.cs (the structs, the constants and AcmeGreeterV1Contract with its NativeLayout), which the plugin
/// glue builds on.
/// </summary>
internal static class RawGreeterBindings
{
    public const string Source = """
        #nullable enable
        using System.Runtime.InteropServices;
        using NativePlugins.Interop;

        namespace Acme.Greeter;

        public static class GreeterConstants
        {
            public static ReadOnlySpan<byte> ACME_GREETER_ID => "acme.greeter/1"u8;
            public const string ACME_GREETER_ID_STRING = "acme.greeter/1";
        }

        public unsafe partial struct acme_greeter_t
        {
        }

        [StructLayout(LayoutKind.Sequential)]
        public unsafe partial struct acme_greeter_v1_t
        {
            public uint struct_size;
            public uint reserved;
            public delegate* unmanaged[Cdecl]<np_host_t*, np_str_t, acme_greeter_t**, np_error_t*, int> create;
            public delegate* unmanaged[Cdecl]<acme_greeter_t*, void> destroy;
            public delegate* unmanaged[Cdecl]<acme_greeter_t*, np_str_t, np_out_bytes_t*, np_error_t*, int> greet;
            public delegate* unmanaged[Cdecl]<acme_greeter_t*, long, long, long*, np_error_t*, int> add;
            public delegate* unmanaged[Cdecl]<acme_greeter_t*, ulong> count;
        }

        public static unsafe class AcmeGreeterV1Contract
        {
            private static readonly NpStructLayout[] s_structs =
            [
                new("acme_greeter_v1_t", 48, 8, 0,
                [
                    new("struct_size", "uint32_t", "uint32_t", 0, 4, 0),
                    new("reserved", "uint32_t", "uint32_t", 4, 4, 0),
                    new("create", "", "int32_t (*)(const np_host_t *, np_str_t, acme_greeter_t **, np_error_t *)", 8, 8, 0),
                    new("destroy", "", "void (*)(acme_greeter_t *)", 16, 8, 0),
                    new("greet", "", "int32_t (*)(acme_greeter_t *, np_str_t, np_out_bytes_t *, np_error_t *)", 24, 8, 0),
                    new("add", "", "int32_t (*)(acme_greeter_t *, int64_t, int64_t, int64_t *, np_error_t *)", 32, 8, 0),
                    new("count", "", "uint64_t (*)(const acme_greeter_t *)", 40, 8, 1),
                ]),
            ];

            public static NativeInterfaceContract Value { get; } = new("acme.greeter/1", 1, s_structs,
            [
                new("create", 8, true, 0, NativeFunctionRole.Create),
                new("destroy", 16, true, 0, NativeFunctionRole.Destroy),
                new("greet", 24, true, 0, NativeFunctionRole.Method),
                new("add", 32, true, 0, NativeFunctionRole.Method),
                new("count", 40, false, 1, NativeFunctionRole.Method),
            ]);

            private static readonly np_layout_report_t* s_report = NpLayoutReport.Allocate(s_structs);

            public static np_interface_layout_t NativeLayout => new() { fingerprint = Value.Fingerprint(Value.NewestMinor), report = s_report };
        }
        """;
}
