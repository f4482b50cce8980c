using System.Reflection;
using System.Text;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Interfaces;

/// <summary>
/// C# plugins of a user interface, acme.greeter/1, end to end: bindgen's plugin glue and raw declarations (emitted
/// here from the example's header) compiled with plugin classes, the SDK's source generator run over them, the library
/// loaded into this process and driven through the raw vtable as a host drives it: typed results, OutBytes growth,
/// PluginException statuses, panics that poison, and a class that is a transform and a greeter at once.
/// </summary>
public sealed unsafe class GreeterPluginTests
{
    private const string Plugins = """
        using System;
        using Acme.Greeter;
        using NativePlugins.PluginSdk;

        namespace Sample;

        [NativePlugin("com.example.greeter", Version = "1.2.0")]
        public sealed class Greeter : IAcmeGreeterV1, IDisposable
        {
            public static int Disposed;
            private readonly string _greeting;

            public Greeter(PluginConfig config) => _greeting = config.GetString("greeting", "Hello");

            public void Greet(string name, OutBytes output)
            {
                switch (name)
                {
                    case "panic": throw new InvalidOperationException("the greeter broke");
                    case "refuse": throw new PluginException(NativePlugins.Interop.NpAbi.NP_ERR_PLUGIN, "not greeting that one", 42);
                    case "": throw PluginException.Input("name is empty");
                }
                output.WriteUtf8($"{_greeting}, {name}!");
            }

            public long Add(long a, long b)
            {
                try { return checked(a + b); }
                catch (OverflowException) { throw PluginException.Input($"{a} + {b} overflows"); }
            }

            public void Dispose() => Disposed++;
        }

        [NativePlugin("com.example.both", Threading = PluginThreading.ThreadSafe)]
        public sealed class Both : TransformPlugin, IAcmeGreeterV1
        {
            public override void Process(RecordBatch batch, Emitter output)
            {
                for (int i = 0; i < batch.Count; i++)
                    output.EmitUtf8(System.Text.Encoding.UTF8.GetString(batch[i]).ToUpperInvariant());
            }

            public void Greet(string name, OutBytes output)
            {
                output.Write("both greet "u8);
                output.WriteUtf8(name);
            }

            public long Add(long a, long b) => a * b;
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => InMemoryPlugin.Compile(
        GreeterModel.RawBindings(),
        GreeterModel.PluginGlue(),
        ("Plugins.cs", Plugins)));

    private static readonly NativeTestHost s_host = new("greeter-tests");
    private static readonly Lazy<nint> s_library = new(() => (nint)InMemoryPlugin.Open(s_assembly.Value, s_host));

    private static np_library_t* Library => (np_library_t*)s_library.Value;

    private static RawGreeter Greeter(string plugin) =>
        new(InMemoryPlugin.VTable(InMemoryPlugin.Plugin(Library, plugin), "acme.greeter/1"));

    private static readonly Lazy<RawGreeter> s_greeterLazy = new(() => Greeter("com.example.greeter"));

    private static RawGreeter PlainGreeter => s_greeterLazy.Value;

    [Fact]
    public void Descriptors_list_every_interface_with_its_layout()
    {
        Assert.Equal(2u, Library->plugin_count);
        np_plugin_descriptor_t* greeter = InMemoryPlugin.Plugin(Library, "com.example.greeter");
        Assert.Equal(1ul, greeter->interface_count);
        Assert.Equal("acme.greeter/1", RawLibrary.Str(greeter->interfaces[0].id));
        Assert.True(greeter->interface_layouts is not null);
        NativeInterfaceContract contract = Contract();
        Assert.Equal(contract.Fingerprint(contract.NewestMinor), greeter->interface_layouts[0].fingerprint);
        Assert.Equal(contract.VTable.Fields.Select(f => (f.Name, f.Offset)),
            NpLayoutReport.Read(greeter->interface_layouts[0].report).Single().Fields.Select(f => (f.Name, f.Offset)));

        // A class that is both: np.transform/1 first (no layout of its own: the ABI fingerprint covers it).
        np_plugin_descriptor_t* both = InMemoryPlugin.Plugin(Library, "com.example.both");
        Assert.Equal(NpAbi.NP_THREADING_THREAD_SAFE, both->threading);
        Assert.Equal(2ul, both->interface_count);
        Assert.Equal(NpAbi.NP_TRANSFORM_ID_STRING, RawLibrary.Str(both->interfaces[0].id));
        Assert.Equal("acme.greeter/1", RawLibrary.Str(both->interfaces[1].id));
        Assert.Equal(0ul, both->interface_layouts[0].fingerprint);
        Assert.True(both->interface_layouts[0].report is null);
        Assert.Equal(greeter->interface_layouts[0].fingerprint, both->interface_layouts[1].fingerprint);
    }

    [Fact]
    public void The_vtable_has_every_required_function_and_leaves_the_leaf_count_NULL()
    {
        RawGreeter.VTableLayout* vtable = PlainGreeter.VTable;
        Assert.Equal(Contract().Size, vtable->struct_size);
        Assert.Equal(0u, vtable->reserved);
        Assert.True(vtable->create is not null && vtable->destroy is not null && vtable->greet is not null && vtable->add is not null);
        Assert.True(vtable->count is null, "a [leaf] function of a C# plugin stays NULL (rule P11)");
        // Each plugin has its own create (it constructs its own class); the other functions are the interface's.
        Assert.NotEqual((nint)vtable->create, (nint)Greeter("com.example.both").VTable->create);
        Assert.Equal((nint)vtable->greet, (nint)Greeter("com.example.both").VTable->greet);
    }

    [Fact]
    public void Typed_results_come_back_through_the_raw_vtable()
    {
        nint instance = PlainGreeter.Create(s_host, "greeting=Hi");
        Assert.Equal("Hi, world!", PlainGreeter.GreetText(instance, "world"));
        Assert.Equal("Hi, wörld ✓!", PlainGreeter.GreetText(instance, "wörld ✓"));
        Assert.Equal((NpAbi.NP_OK, 5L, ""), PlainGreeter.Add(instance, 2, 3));
        PlainGreeter.Destroy(instance);
    }

    [Fact]
    public void OutBytes_grows_through_reserve_and_appends_after_what_the_caller_had()
    {
        nint instance = PlainGreeter.Create(s_host);
        using var output = new NativeOutBytes(capacity: 3, prefix: ">> ");
        var (status, message, _) = PlainGreeter.Greet(instance, "a long name to force growth"u8, output);
        Assert.True(status == NpAbi.NP_OK, message);
        Assert.Equal(">> Hello, a long name to force growth!", output.ToString());
        Assert.Equal(1, output.ReserveCalls);
        PlainGreeter.Destroy(instance);
    }

    [Fact]
    public void A_fixed_buffer_too_small_is_NP_ERR_OUT_OF_MEMORY_naming_the_size_and_a_refused_reserve_its_status()
    {
        nint instance = PlainGreeter.Create(s_host);
        using (var fixedBuffer = new NativeOutBytes(capacity: 4, growable: false))
        {
            var (status, message, _) = PlainGreeter.Greet(instance, "world"u8, fixedBuffer);
            Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, status);
            Assert.Equal("the result needs 13 bytes; the caller's buffer holds 4 and cannot grow (reserve is NULL)", message);
            Assert.Equal(0ul, fixedBuffer.Pointer->len);
        }
        using (var limited = new NativeOutBytes(capacity: 4, maxBytes: 8))
        {
            var (status, message, _) = PlainGreeter.Greet(instance, "world"u8, limited);
            Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, status);
            Assert.Contains("reserve returned NP_ERR_OUT_OF_MEMORY", message);
        }
        // Not a panic: the instance still works.
        Assert.Equal("Hello, again!", PlainGreeter.GreetText(instance, "again"));
        PlainGreeter.Destroy(instance);
    }

    [Fact]
    public void A_PluginException_is_its_status_message_and_code_and_the_instance_stays_usable()
    {
        nint instance = PlainGreeter.Create(s_host);
        using var output = new NativeOutBytes();
        Assert.Equal((NpAbi.NP_ERR_PLUGIN, "not greeting that one", 42), PlainGreeter.Greet(instance, "refuse"u8, output));
        Assert.Equal((NpAbi.NP_ERR_INPUT, "name is empty", 0), PlainGreeter.Greet(instance, ""u8, output));
        Assert.Equal((NpAbi.NP_ERR_INPUT, -1L, $"{long.MaxValue} + 1 overflows"), PlainGreeter.Add(instance, long.MaxValue, 1));
        Assert.Equal((NpAbi.NP_OK, 7L, ""), PlainGreeter.Add(instance, 3, 4));
        PlainGreeter.Destroy(instance);
    }

    [Fact]
    public void An_exception_is_NP_ERR_PANIC_poisons_the_instance_and_is_logged()
    {
        nint instance = PlainGreeter.Create(s_host);
        using var output = new NativeOutBytes();
        var (status, message, _) = PlainGreeter.Greet(instance, "panic"u8, output);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Equal("unhandled System.InvalidOperationException: the greeter broke", message);
        Assert.Contains(s_host.LogLines, l => l.Level == NpAbi.NP_LOG_ERROR && l.Message.StartsWith("greet: unhandled exception: System.InvalidOperationException: the greeter broke", StringComparison.Ordinal));

        // Poisoned: every call but destroy is NP_ERR_STATE, naming the panic; no plugin code runs.
        (status, message, _) = PlainGreeter.Greet(instance, "world"u8, output);
        Assert.Equal(NpAbi.NP_ERR_STATE, status);
        Assert.Contains("poisoned by an earlier panic", message);
        Assert.Contains("the greeter broke", message);
        Assert.Equal(NpAbi.NP_ERR_STATE, PlainGreeter.Add(instance, 1, 1).Status);
        int disposed = Disposed();
        PlainGreeter.Destroy(instance);
        Assert.Equal(disposed + 1, Disposed());
    }

    [Fact]
    public void Arguments_are_checked_before_plugin_code_runs()
    {
        nint instance = PlainGreeter.Create(s_host);
        using var output = new NativeOutBytes();
        var (status, message, _) = PlainGreeter.Greet(instance, [0xC3, 0x28], output);
        Assert.Equal(NpAbi.NP_ERR_INPUT, status);
        Assert.Equal("name: the string is not valid UTF-8", message);

        var error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, PlainGreeter.VTable->add((void*)instance, 1, 2, null, error.Pointer));
        Assert.Equal("out_sum is NULL", error.ToString());

        error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, PlainGreeter.VTable->greet((void*)instance, default, null, error.Pointer));
        Assert.Equal("out is NULL", error.ToString());

        output.Pointer->len = output.Pointer->capacity + 1;
        Assert.Contains("out.len 5 exceeds its capacity 4", PlainGreeter.Greet(instance, "x"u8, output).Message);
        output.Pointer->len = 0;

        error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, PlainGreeter.VTable->add(null, 1, 2, null, error.Pointer));
        Assert.Equal("instance is NULL", error.ToString());

        // None of that was a panic.
        Assert.Equal("Hello, still fine!", PlainGreeter.GreetText(instance, "still fine"));
        PlainGreeter.Destroy(instance);
        PlainGreeter.VTable->destroy(null); // a no-op
    }

    [Fact]
    public void Create_reports_config_errors_and_sets_out_instance_to_NULL()
    {
        var (status, instance, message) = PlainGreeter.TryCreate(s_host, "greeting=Hi;colour=blue");
        Assert.Equal(NpAbi.NP_ERR_CONFIG, status);
        Assert.Equal(0, instance);
        Assert.Contains("unknown config key 'colour'", message);
    }

    [Fact]
    public void One_class_serves_both_interfaces_and_each_instance_only_its_own()
    {
        RawGreeter both = Greeter("com.example.both");
        nint greeter = both.Create(s_host);
        Assert.Equal("both greet you", both.GreetText(greeter, "you"));
        Assert.Equal((NpAbi.NP_OK, 12L, ""), both.Add(greeter, 3, 4));

        var transform = (np_transform_v1_t*)InMemoryPlugin.VTable(InMemoryPlugin.Plugin(Library, "com.example.both"), NpAbi.NP_TRANSFORM_ID_STRING);
        var error = new ErrorBuffer();
        np_instance_t* records = null;
        Assert.Equal(NpAbi.NP_OK, transform->create(s_host.Table, default, &records, error.Pointer));
        using (var input = NativeRecords.From("abc", "dé"))
        using (var output = new NativeRecords())
        {
            Assert.Equal(NpAbi.NP_OK, transform->process(records, input.Batch, output.Emitter, error.Pointer));
            Assert.Equal(["ABC", "DÉ"], output.Strings());

            // An instance only accepts the functions of the interface that created it.
            error = new ErrorBuffer();
            Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, transform->process((np_instance_t*)greeter, input.Batch, output.Emitter, error.Pointer));
            Assert.Contains("is an instance of acme.greeter/1 (plugin com.example.both), not of np.transform/1", error.ToString());
        }
        using (var output = new NativeOutBytes())
        {
            var (status, message, _) = both.Greet((nint)records, "x"u8, output);
            Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, status);
            Assert.Contains("is an instance of np.transform/1 (plugin com.example.both), not of acme.greeter/1", message);
        }
        transform->destroy(records);
        both.Destroy(greeter);
    }

    private static NativeInterfaceContract Contract() =>
        (NativeInterfaceContract)s_assembly.Value.GetType("Acme.Greeter.AcmeGreeterV1Contract", throwOnError: true)!
            .GetProperty("Value")!.GetValue(null)!;

    private static int Disposed() =>
        (int)s_assembly.Value.GetType("Sample.Greeter", throwOnError: true)!.GetField("Disposed")!.GetValue(null)!;
}
