using NativePlugins.Interop;
using NativePlugins.PluginSdk.Runtime;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>
/// The C# plugin of the acme.greeter/1 example (tests/examples/greeter/csharp, compiled from bindgen's committed
/// output), built by CMake as NativeAOT and as hosted libraries, loaded and driven through the raw C ABI: the same
/// results in both modes, descriptors with the interface layout, OutBytes growth, PluginException statuses, and an
/// unhandled exception that poisons.
/// </summary>
public sealed unsafe class GreeterExampleTests
{
    private const string Greeter = "com.example.greeter.cs";
    private const string Shouting = "com.example.greeter.cs.shouting";
    private const string GreeterId = "acme.greeter/1";
    private static readonly NativeTestHost s_host = new("greeter-example-tests");

    public static TheoryData<string> Modes => new() { "aot", "hosted" };

    private static RawLibrary Open(string mode) => RawLibrary.Open(BuildLayout.Example(mode, "libnp_cs_greeter.so"), s_host);

    private static RawGreeter GreeterOf(RawLibrary library, string plugin) => new(library.Interface(plugin, GreeterId));

    [Theory]
    [MemberData(nameof(Modes))]
    public void The_library_lists_both_plugins_with_their_interfaces_and_layouts(string mode)
    {
        RawLibrary library = Open(mode);
        Assert.Equal($"{LibraryState.SdkName} ({mode})", library.Sdk);
        Assert.Equal([Greeter, Shouting], library.PluginIds.Order(StringComparer.Ordinal));

        np_plugin_descriptor_t* greeter = library.Plugin(Greeter);
        Assert.Equal(1ul, greeter->interface_count);
        Assert.Equal(GreeterId, RawLibrary.Str(greeter->interfaces[0].id));
        // The interface fingerprint bindgen computed for the newest minor, and this runtime's layout report of it.
        Assert.Equal(Acme.Greeter.AcmeGreeterV1Contract.ACME_GREETER_V1_LAYOUT_FINGERPRINT, greeter->interface_layouts[0].fingerprint);
        NpStructLayout reported = NpLayoutReport.Read(greeter->interface_layouts[0].report).Single();
        Assert.Equal("acme_greeter_v1_t", reported.Name);
        Assert.Equal(Acme.Greeter.AcmeGreeterV1Contract.Value.VTable.Fields.Select(f => (f.Name, f.Offset, f.Size)),
            reported.Fields.Select(f => (f.Name, f.Offset, f.Size)));

        np_plugin_descriptor_t* shouting = library.Plugin(Shouting);
        Assert.Equal(2ul, shouting->interface_count);
        Assert.Equal(NpAbi.NP_TRANSFORM_ID_STRING, RawLibrary.Str(shouting->interfaces[0].id));
        Assert.Equal(GreeterId, RawLibrary.Str(shouting->interfaces[1].id));
        Assert.Equal((0ul, true), (shouting->interface_layouts[0].fingerprint, shouting->interface_layouts[0].report is null));
        Assert.Equal(greeter->interface_layouts[0].fingerprint, shouting->interface_layouts[1].fingerprint);

        RawGreeter.VTableLayout* vtable = GreeterOf(library, Greeter).VTable;
        Assert.Equal(Acme.Greeter.AcmeGreeterV1Contract.Value.Size, vtable->struct_size);
        Assert.True(vtable->count is null, "count is [leaf]: a C# plugin leaves it NULL (rule P11)");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Greet_and_add_give_typed_results_and_OutBytes_grows(string mode)
    {
        RawGreeter greeter = GreeterOf(Open(mode), Greeter);
        nint instance = greeter.Create(s_host, "greeting=Grüß dich");
        Assert.Equal("Grüß dich, world!", greeter.GreetText(instance, "world"));
        Assert.Equal((NpAbi.NP_OK, 5L, ""), greeter.Add(instance, 2, 3));

        using (var small = new NativeOutBytes(capacity: 2, prefix: "> "))
        {
            var (status, message, _) = greeter.Greet(instance, "a name long enough to grow the buffer"u8, small);
            Assert.True(status == NpAbi.NP_OK, message);
            Assert.Equal("> Grüß dich, a name long enough to grow the buffer!", small.ToString());
            Assert.True(small.ReserveCalls >= 1);
        }
        using (var fixedBuffer = new NativeOutBytes(capacity: 8, growable: false))
        {
            var (status, message, _) = greeter.Greet(instance, "world"u8, fixedBuffer);
            Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, status);
            Assert.Contains("cannot grow (reserve is NULL)", message);
        }
        greeter.Destroy(instance);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_PluginException_is_its_status_and_the_instance_stays_usable(string mode)
    {
        RawGreeter greeter = GreeterOf(Open(mode), Greeter);
        var (status, none, message) = greeter.TryCreate(s_host, "greeting=");
        Assert.Equal((NpAbi.NP_ERR_CONFIG, 0), (status, none));
        Assert.Equal("config key 'greeting' must not be empty", message);

        nint instance = greeter.Create(s_host);
        Assert.Equal((NpAbi.NP_ERR_INPUT, -1L, $"{long.MaxValue} + 1 overflows int64"), greeter.Add(instance, long.MaxValue, 1));
        Assert.Equal((NpAbi.NP_OK, -2L, ""), greeter.Add(instance, -1, -1));
        greeter.Destroy(instance);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void An_unhandled_exception_is_NP_ERR_PANIC_and_poisons_only_that_instance(string mode)
    {
        RawGreeter shouting = GreeterOf(Open(mode), Shouting);
        nint poisoned = shouting.Create(s_host);
        nint healthy = shouting.Create(s_host);
        var (status, _, message) = shouting.Add(poisoned, long.MaxValue, 1);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.StartsWith("unhandled System.OverflowException: ", message);

        Assert.Equal(NpAbi.NP_ERR_STATE, shouting.Add(poisoned, 1, 1).Status);
        using (var output = new NativeOutBytes())
            Assert.Equal(NpAbi.NP_ERR_STATE, shouting.Greet(poisoned, "x"u8, output).Status);
        Assert.Equal("HELLO, YOU!", shouting.GreetText(healthy, "you"));
        shouting.Destroy(poisoned);
        shouting.Destroy(healthy);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void The_shouting_greeter_is_a_transform_too(string mode)
    {
        RawLibrary library = Open(mode);
        using RawInstance transform = library.Create(Shouting, "", s_host);
        Assert.Equal(["ABC", "DÉJÀ"], transform.Run("abc", "déjà"));
    }
}
