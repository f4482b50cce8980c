using System.Reflection;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.State;

/// <summary>
/// np.state/1 (ABI 1.3) for a C# transform that implements IStatefulTransform, end to end: the source generator lists
/// the interface, the SDK's shared vtable saves into a caller's np_out_bytes_t (growing it) and restores into a fresh
/// instance, a blob the plugin does not understand is its NP_ERR_INPUT, and an unexpected exception is contained and
/// poisons the instance (no exception crosses an [UnmanagedCallersOnly] export).
/// </summary>
public sealed unsafe class StatefulTransformTests
{
    private const string Plugins = """
        using System;
        using NativePlugins.PluginSdk;

        namespace Sample;

        [NativePlugin("com.example.tally")]
        public sealed class Tally : TransformPlugin, IStatefulTransform
        {
            private static ReadOnlySpan<byte> Format => "tly1"u8;
            private long _count;

            public override void Process(RecordBatch batch, Emitter output) => _count += batch.Count;

            public override void Flush(Emitter output)
            {
                output.EmitUtf8($"count={_count}");
                _count = 0;
            }

            public void SaveState(OutBytes output)
            {
                if (_count == 666) throw new InvalidOperationException("save broke on purpose");
                output.Write(Format);
                output.Write(BitConverter.GetBytes(_count));
            }

            public void RestoreState(ReadOnlySpan<byte> state)
            {
                if (state.Length != 12 || !state[..4].SequenceEqual(Format))
                    throw new PluginException(NativePlugins.Interop.NpAbi.NP_ERR_INPUT, $"not a 'tly1' state ({state.Length} bytes)");
                _count = BitConverter.ToInt64(state[4..]);
            }
        }

        [NativePlugin("com.example.plain")]
        public sealed class Plain : TransformPlugin
        {
            public override void Process(RecordBatch batch, Emitter output) { }
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => InMemoryPlugin.Compile(("Plugins.cs", Plugins)));
    private static readonly NativeTestHost s_host = new("state-tests");
    private static readonly Lazy<nint> s_library = new(() => (nint)InMemoryPlugin.Open(s_assembly.Value, s_host));

    private static np_library_t* Library => (np_library_t*)s_library.Value;

    private static np_transform_v1_t* Transform =>
        (np_transform_v1_t*)InMemoryPlugin.VTable(InMemoryPlugin.Plugin(Library, "com.example.tally"), NpAbi.NP_TRANSFORM_ID_STRING);

    private static np_state_v1_t* StateVTable =>
        (np_state_v1_t*)InMemoryPlugin.VTable(InMemoryPlugin.Plugin(Library, "com.example.tally"), NpAbi.NP_STATE_ID_STRING);

    private static np_instance_t* Create()
    {
        var error = new ErrorBuffer();
        np_instance_t* instance = null;
        int status = Transform->create(s_host.Table, default, &instance, error.Pointer);
        Assert.True(status == NpAbi.NP_OK, error.ToString());
        return instance;
    }

    private static void Process(np_instance_t* instance, params string[] records)
    {
        using var input = NativeRecords.From(records);
        using var output = new NativeRecords();
        var error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_OK, Transform->process(instance, input.Batch, output.Emitter, error.Pointer));
    }

    private static List<string> Flush(np_instance_t* instance)
    {
        using var output = new NativeRecords();
        var error = new ErrorBuffer();
        Assert.Equal(NpAbi.NP_OK, Transform->flush(instance, output.Emitter, error.Pointer));
        return output.Strings();
    }

    private static (int Status, string Message) Save(np_instance_t* instance, NativeOutBytes output)
    {
        var error = new ErrorBuffer();
        int status = StateVTable->save(instance, output.Pointer, error.Pointer);
        return (status, error.ToString());
    }

    private static (int Status, string Message) Restore(np_instance_t* instance, ReadOnlySpan<byte> state)
    {
        var error = new ErrorBuffer();
        fixed (byte* p = state)
        {
            var blob = new np_bytes_t { ptr = p, len = (ulong)state.Length };
            int status = StateVTable->restore(instance, blob, error.Pointer);
            return (status, error.ToString());
        }
    }

    [Fact]
    public void A_stateful_transform_lists_np_state_after_np_transform_and_a_plain_one_does_not()
    {
        np_plugin_descriptor_t* tally = InMemoryPlugin.Plugin(Library, "com.example.tally");
        Assert.Equal(2ul, tally->interface_count);
        Assert.Equal(NpAbi.NP_TRANSFORM_ID_STRING, RawLibrary.Str(tally->interfaces[0].id));
        Assert.Equal(NpAbi.NP_STATE_ID_STRING, RawLibrary.Str(tally->interfaces[1].id));
        Assert.Equal((uint)sizeof(np_state_v1_t), StateVTable->struct_size);
        Assert.True(StateVTable->save is not null && StateVTable->restore is not null);
        Assert.Equal(1ul, InMemoryPlugin.Plugin(Library, "com.example.plain")->interface_count);
    }

    [Fact]
    public void Save_grows_a_small_buffer_and_restore_continues_the_count_in_a_fresh_instance()
    {
        var a = Create();
        Process(a, "x", "y", "z");
        using var saved = new NativeOutBytes(capacity: 1);
        var (status, message) = Save(a, saved);
        Assert.True(status == NpAbi.NP_OK, message);
        Assert.True(saved.ReserveCalls >= 1);
        Assert.Equal(12ul, saved.Pointer->len);

        var b = Create();
        (status, message) = Restore(b, new ReadOnlySpan<byte>(saved.Pointer->data, (int)saved.Pointer->len));
        Assert.True(status == NpAbi.NP_OK, message);
        Assert.Equal(["count=3"], Flush(b)); // the restored stream is open: flush reaches the plugin
        Assert.Equal(["count=3"], Flush(a)); // save left the saved instance as it was
        Transform->destroy(a);
        Transform->destroy(b);
    }

    [Fact]
    public void A_blob_the_plugin_does_not_understand_is_NP_ERR_INPUT_and_a_restore_with_a_stream_open_NP_ERR_STATE()
    {
        var a = Create();
        var (status, message) = Restore(a, "garbage"u8);
        Assert.Equal(NpAbi.NP_ERR_INPUT, status);
        Assert.Contains("not a 'tly1' state", message);
        Process(a, "x");
        (status, message) = Restore(a, "tly1\0\0\0\0\0\0\0\0"u8);
        Assert.Equal(NpAbi.NP_ERR_STATE, status);
        Assert.Contains("stream is open", message);
        Assert.Equal(["count=1"], Flush(a));
        Transform->destroy(a);
    }

    [Fact]
    public void An_exception_in_save_is_contained_as_NP_ERR_PANIC_and_poisons_the_instance()
    {
        var a = Create();
        Process(a, Enumerable.Range(0, 666).Select(i => "r").ToArray());
        using var output = new NativeOutBytes();
        var (status, message) = Save(a, output);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Contains("save broke on purpose", message);
        (status, _) = Restore(a, ""u8);
        Assert.Equal(NpAbi.NP_ERR_STATE, status);
        Transform->destroy(a);
    }
}
