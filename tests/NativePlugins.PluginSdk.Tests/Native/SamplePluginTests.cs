using System.Text;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>The sample plugins' behaviour through the raw C ABI, in both modes (same source, same results).</summary>
public sealed unsafe class SamplePluginTests
{
    private const string Regex = "org.nativeplugins.cs.regex";
    private const string WordFreq = "org.nativeplugins.cs.wordfreq";
    private static readonly NativeTestHost s_host = new();

    public static TheoryData<string> Modes => new() { "aot", "hosted" };

    private static RawLibrary Open(string mode, string file) => RawLibrary.Open(BuildLayout.Plugin(mode, file), s_host);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Regex_keeps_matching_records(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=^h.*o$", s_host);
        Assert.Equal(["hello", "hippo"], instance.Run("hello", "world", "hippo", ""));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Regex_invert_drops_matching_records(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=o;invert=true", s_host);
        Assert.Equal(["", "ax"], instance.Run("hello", "", "ax", "world"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Regex_replace_rewrites_every_record_with_groups(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, @"pattern=(\w+)@(\w+);replace=$2:$1", s_host);
        Assert.Equal(["b:a and d:c", "nothing", "ünï:cödé"], instance.Run("a@b and c@d", "nothing", "cödé@ünï"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Regex_invalid_pattern_is_NP_ERR_CONFIG_with_the_parser_message(string mode)
    {
        var (status, instance, message) = Open(mode, "libnp_cs_regex.so").TryCreate(Regex, "pattern=(unclosed", s_host);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, status);
        Assert.Null(instance);
        Assert.Contains("invalid pattern '(unclosed'", message);
        Assert.Contains("Not enough )'s", message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Unknown_config_key_is_NP_ERR_CONFIG_naming_the_key_and_the_known_ones(string mode)
    {
        var (status, _, message) = Open(mode, "libnp_cs_regex.so").TryCreate(Regex, "pattern=a;colour=blue", s_host);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, status);
        Assert.Contains("unknown config key 'colour' (known keys: pattern, replace, invert, ignore_case)", message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void S9_an_unknown_key_is_named_before_a_missing_required_one(string mode)
    {
        var (status, _, message) = Open(mode, "libnp_cs_regex.so").TryCreate(Regex, "bogus=1", s_host);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, status);
        Assert.Equal("unknown config key 'bogus' (known keys: pattern, replace, invert, ignore_case)", message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Malformed_config_and_missing_required_key_are_NP_ERR_CONFIG(string mode)
    {
        RawLibrary library = Open(mode, "libnp_cs_regex.so");
        var (status, _, message) = library.TryCreate(Regex, "pattern", s_host);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, status);
        Assert.Contains("config part 1 'pattern' is not key=value", message);
        (status, _, message) = library.TryCreate(Regex, "", s_host);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, status);
        Assert.Contains("missing required config key 'pattern'", message);
        (status, _, message) = library.TryCreate(Regex, "pattern=a;invert=maybe", s_host);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, status);
        Assert.Contains("config key 'invert' must be true, false, 1 or 0, got 'maybe'", message);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Regex_rejects_invalid_utf8_with_NP_ERR_INPUT_and_stays_usable(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=a", s_host);
        using var input = new NativeRecords();
        input.Append("abc"u8);
        input.Append([0x61, 0xFF, 0xFE]);
        using var output = new NativeRecords();

        var (status, message) = instance.Process(input, output);

        Assert.Equal(NpAbi.NP_ERR_INPUT, status);
        Assert.Contains("record 1 is not valid UTF-8", message);
        Assert.Equal(["abc"], output.Strings()); // what was emitted before the failure stays emitted
        Assert.Equal(["a"], instance.Run("a", "b"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Wordfreq_carries_its_counts_to_a_fresh_instance_through_np_state(string mode)
    {
        var library = Open(mode, "libnp_cs_wordfreq.so");
        var state = (np_state_v1_t*)library.Interface(WordFreq, NpAbi.NP_STATE_ID_STRING);
        using var saved = library.Create(WordFreq, "top=2", s_host);
        using var input = NativeRecords.From("The cat and the hat", "a cat");
        using var output = new NativeRecords();
        Assert.Equal(NpAbi.NP_OK, saved.Process(input, output).Status);

        using var blob = new NativeOutBytes(capacity: 1);
        var error = new ErrorBuffer();
        Assert.True(state->save(saved.Handle, blob.Pointer, error.Pointer) == NpAbi.NP_OK, error.ToString());
        Assert.True(blob.ReserveCalls >= 1);

        using var restored = library.Create(WordFreq, "top=2", s_host);
        Assert.True(state->restore(restored.Handle, new np_bytes_t { ptr = blob.Pointer->data, len = blob.Pointer->len },
            error.Pointer) == NpAbi.NP_OK, error.ToString());
        Assert.Equal(["the\t3", "cat\t2"], restored.Run("the")); // 2 + 1 "the": the counts went on

        using var other = library.Create(WordFreq, "", s_host);
        byte[] truncated = [(byte)'w', (byte)'f', (byte)'1', (byte)'\n', 1, 0, 0, 0, 200, 0, 0, 0]; // one word of 200 bytes, absent
        fixed (byte* garbage = truncated)
            Assert.Equal(NpAbi.NP_ERR_INPUT, state->restore(other.Handle, new np_bytes_t { ptr = garbage, len = (ulong)truncated.Length }, error.Pointer));
        Assert.Contains("truncated or malformed", error.ToString());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Wordfreq_emits_top_n_at_flush_and_resets(string mode)
    {
        using var instance = Open(mode, "libnp_cs_wordfreq.so").Create(WordFreq, "top=2", s_host);
        using var input = NativeRecords.From("The cat and the hat", "THE END, the end!", "a cat");
        using var output = new NativeRecords();

        Assert.Equal(NpAbi.NP_OK, instance.Process(input, output).Status);
        Assert.Equal(0, output.Count); // nothing before the end of the stream
        Assert.Equal(NpAbi.NP_OK, instance.Flush(output).Status);
        Assert.Equal(["the\t4", "cat\t2"], output.Strings());

        output.Clear();
        Assert.Equal(NpAbi.NP_OK, instance.Flush(output).Status); // a second flush emits nothing (rule P8)
        Assert.Equal(0, output.Count);
        Assert.Equal(["x\t1"], instance.Run("x")); // a new stream starts from zero
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void S6_stats_count_records_and_bytes_in_and_out(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=b", s_host);
        instance.Run("abc", "xyz", "bb");
        instance.Run("b");

        var (status, stats) = instance.Stats();

        Assert.Equal(NpAbi.NP_OK, status);
        Assert.Equal(4ul, stats.records_in);
        Assert.Equal(9ul, stats.bytes_in);
        Assert.Equal(3ul, stats.records_out);
        Assert.Equal(6ul, stats.bytes_out);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Stats_fills_only_what_an_older_callers_struct_holds(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=.", s_host);
        instance.Run("abc");
        var stats = new np_transform_stats_t { struct_size = 16, bytes_in = 777, bytes_out = 888 };

        Assert.Equal(NpAbi.NP_OK, instance.VTable->stats(instance.Handle, &stats));
        Assert.Equal(1ul, stats.records_in);
        Assert.Equal(777ul, stats.bytes_in); // beyond struct_size: untouched
        Assert.Equal(888ul, stats.bytes_out);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Large_records_and_many_records_grow_the_host_buffers_through_reserve(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=x", s_host);
        string big = new('x', 3 * 1024 * 1024);
        using var input = new NativeRecords();
        input.Append(Encoding.UTF8.GetBytes(big));
        for (int i = 0; i < 10_000; i++)
            input.Append("x"u8);
        using var output = new NativeRecords(initialBytes: 1, initialRecords: 1);

        Assert.Equal(NpAbi.NP_OK, instance.Process(input, output).Status);

        Assert.Equal(10_001, output.Count);
        Assert.Equal(big.Length, output[0].Length);
        Assert.InRange(output.ReserveCalls, 2, 64); // grows geometrically, not once per record
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_failed_reserve_stops_process_with_its_status(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=.", s_host);
        using var input = NativeRecords.From("aaaa", "bbbb", "cccc");
        using var output = new NativeRecords(initialBytes: 4, initialRecords: 4, maxBytes: 6);

        var (status, message) = instance.Process(input, output);

        Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, status);
        Assert.Contains("could not grow", message);
        Assert.Equal(["aaaa"], output.Strings());
        Assert.Equal(["x"], instance.Run("x")); // not poisoned
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Empty_batches_and_empty_records_are_handled(string mode)
    {
        using var instance = Open(mode, "libnp_cs_regex.so").Create(Regex, "pattern=^$", s_host);
        Assert.Empty(instance.Run());
        Assert.Equal(["", ""], instance.Run("", "x", ""));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void S8_malformed_arguments_are_NP_ERR_INVALID_ARGUMENT(string mode)
    {
        RawLibrary library = Open(mode, "libnp_cs_regex.so");
        using var instance = library.Create(Regex, "pattern=a", s_host);
        using var output = new NativeRecords();
        var error = new ErrorBuffer();

        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, instance.VTable->process(instance.Handle, null, output.Emitter, error.Pointer));
        Assert.Contains("batch is NULL", error.ToString());
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, instance.VTable->process(null, output.Batch, output.Emitter, error.Pointer));

        ulong* offsets = stackalloc ulong[] { 0, 5, 3 };
        var decreasing = new np_batch_t { data = output.Emitter->data, offsets = offsets, count = 2 };
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, instance.VTable->process(instance.Handle, &decreasing, output.Emitter, error.Pointer));
        Assert.Contains("decrease", error.ToString());

        np_instance_t* created = null;
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, instance.VTable->create(null, default, &created, error.Pointer));
        Assert.True(created is null);
        instance.VTable->destroy(null); // a no-op
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Create_destroy_repeats_without_limit_and_leaves_no_host_allocations(string mode)
    {
        RawLibrary library = Open(mode, "libnp_cs_wordfreq.so");
        var host = new NativeTestHost();
        for (int i = 0; i < 200; i++)
        {
            using RawInstance instance = library.Create(WordFreq, "top=1", host);
            if (i % 50 == 0)
                instance.Run("a b a");
        }
        Assert.Equal(0, host.LiveAllocations);
    }
}
