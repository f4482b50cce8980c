using System.Text;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Loading;
using NativePlugins.Interop;
using NativePlugins.TestSupport;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>
/// What the host shows of plugin text (one line: interop/vectors/display-text.tsv) and what it does when a plugin
/// lies about a message's length or writes past a buffer the host gave it (rules P5, P10): a typed protocol violation
/// naming plugin and function, raised before the host reads or frees anything, and a poisoned instance after an
/// overrun. The libraries are conformance fixtures (native/fixtures/conformance/conformance_fixture.c).
/// </summary>
public class MessagesAndOverrunsTests
{
    private const string Prefix = "org.nativeplugins.fixture.";
    private static readonly byte[] NotUtf8 = [0x66, 0xff, 0x6f];

    private static string Fixture(string stem) => RepoLayout.Existing(Path.Combine(RepoLayout.ConformanceFixtureDir, $"libnpfx_{stem}.so"));

    private static PluginHost HostWith(string stem)
    {
        var host = Create();
        host.Load(Fixture(stem));
        return host;
    }

    private static void AssertOneLine(string text)
    {
        foreach (var r in text.EnumerateRunes())
            Assert.False(NativeText.BreaksTheLine(r), $"U+{r.Value:X4} in: {text}");
    }

    // ---- the display rule, shared with every implementation through the vectors ----

    public static TheoryData<string, byte[], string> DisplayCases()
    {
        var data = new TheoryData<string, byte[], string>();
        foreach (var line in Vectors.Read("display-text.tsv"))
        {
            Assert.Equal("case", line.Kind);
            data.Add(line.ToString(), line.Fields[0], line.Text(1));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DisplayCases))]
    public void Plugin_text_is_shown_as_the_vectors_say(string where, byte[] input, string shown)
    {
        Assert.True(NativeText.OneLine(input) == shown, where);
        Assert.True(NativeText.OneLine(shown) == shown, $"{where}: showing again must change nothing");
        Assert.True(NativeText.OneLine(Encoding.UTF8.GetBytes(shown)) == shown, $"{where}: showing the shown bytes");
        if (NativeText.IsUtf8(input))
            Assert.True(NativeText.OneLine(Encoding.UTF8.GetString(input)) == shown, $"{where}: the string form");
        AssertOneLine(shown);
    }

    [Fact]
    public void A_lone_surrogate_in_a_string_is_escaped()
    {
        Assert.Equal("a\\ud800b", NativeText.OneLine("a\ud800b"));
    }

    [Fact]
    public void Load_and_call_errors_are_one_line_whatever_the_file_name_and_message()
    {
        var load = new PluginLoadException(PluginLoadError.LoadFailed, "/tmp/evil\n\u001b[2Jname.so", "org.x\u202ey",
            "dlopen said\r\nline two");
        Assert.Equal("/tmp/evil\\x0a\\x1b[2Jname.so: plugin 'org.x\\u202ey': LoadFailed: dlopen said\\x0d\\x0aline two",
            load.Message);
        var call = new PluginCallException("process", NpAbi.NP_ERR_PLUGIN, "org.x", "/p/a\tb.so", "bad\u0085thing");
        Assert.Equal("/p/a\\x09b.so: plugin 'org.x': process failed with NP_ERR_PLUGIN (-8): bad\\u0085thing", call.Message);
    }

    // ---- control characters in messages and ids ----

    [Fact]
    public void Newlines_and_escapes_in_a_create_message_are_shown_escaped_on_one_line()
    {
        using var host = HostWith("ok_control_chars");
        var e = Assert.Throws<PluginCallException>(() => host.CreateTransform(Prefix + "ok-control-chars", "nope=1"));
        Assert.False(e.IsProtocolViolation); // legal: the host only shows it safely
        Assert.Equal(NpAbi.NP_ERR_CONFIG, e.Status);
        AssertOneLine(e.Message);
        AssertOneLine(e.PluginMessage);
        Assert.Contains("\\x1b[31m", e.Message);
        Assert.Contains("\\x0asecond line\\x1b]0;pwned\\x07", e.Message);
        Assert.Contains("config: unknown key 'nope'", e.Message);
    }

    [Fact]
    public void Newlines_and_escapes_in_a_process_message_are_shown_escaped_on_one_line()
    {
        using var host = HostWith("ok_control_chars");
        using var t = host.CreateTransform(Prefix + "ok-control-chars");
        using var input = new RecordBuffer();
        input.Append(NotUtf8);
        using var output = new RecordBuffer();
        var e = Assert.Throws<PluginCallException>(() => t.Process(input, output));
        Assert.Equal(NpAbi.NP_ERR_INPUT, e.Status);
        AssertOneLine(e.Message);
        Assert.Contains("\\x0asecond line", e.Message);
        Assert.Equal(2, Process(t, "a", "b").Count); // a refused record poisons nothing
    }

    [Fact]
    public void An_id_with_a_newline_and_an_escape_is_refused_on_one_line()
    {
        using var host = Create();
        var e = Assert.Throws<PluginLoadException>(() => host.Load(Fixture("p2_id_control_chars")));
        Assert.Equal(PluginLoadError.InvalidId, e.Reason);
        AssertOneLine(e.Message);
        Assert.Contains("\\x1b[2J\\x0aid", e.Message);
        AssertStillWorks(host);
    }

    // ---- a length beyond the buffer ----

    [Fact]
    public void A_message_length_beyond_the_capacity_is_a_protocol_violation_showing_only_what_was_written()
    {
        using var host = HostWith("p5_error_length_lie");
        var id = Prefix + "p5-error-length-lie";
        var e = Assert.Throws<PluginCallException>(() => host.CreateTransform(id, "nope=1"));
        Assert.True(e.IsProtocolViolation);
        Assert.Equal(NpAbi.NP_ERR_CONFIG, e.Status);
        Assert.Equal("create", e.Operation);
        Assert.Contains($"plugin '{id}': create broke the protocol: it reported an error message of ", e.Message);
        Assert.Contains($"bytes in an error buffer of {PluginErrorText.Capacity} bytes (rule P5)", e.Message);
        Assert.Contains("its message, cut to the buffer: ", e.Message);
        Assert.Contains("config: unknown key 'nope'", e.Message);
        // The plugin cut its text at capacity - 1 and terminated it: nothing after the NUL is shown (no stack garbage).
        Assert.DoesNotContain("\\x00", e.Message);
        Assert.EndsWith(".", e.Message);
        AssertOneLine(e.Message);
    }

    [Fact]
    public void A_length_lie_in_process_does_not_poison_the_instance()
    {
        using var host = HostWith("p5_error_length_lie");
        using var t = host.CreateTransform(Prefix + "p5-error-length-lie");
        using var input = new RecordBuffer();
        input.Append(NotUtf8);
        using var output = new RecordBuffer();
        var e = Assert.Throws<PluginCallException>(() => t.Process(input, output));
        Assert.True(e.IsProtocolViolation);
        Assert.Equal("process", e.Operation);
        Assert.Contains("it reported an error message of", e.Message);
        Assert.False(t.IsPoisoned); // nothing was written out of bounds
        Assert.Equal(2, Process(t, "a", "b").Count);
    }

    // ---- writes past the error buffer ----

    [Fact]
    public void A_write_past_the_error_buffer_in_process_is_caught_and_poisons_the_instance()
    {
        using var host = HostWith("p5_error_overrun");
        var id = Prefix + "p5-error-overrun";
        using var t = host.CreateTransform(id);
        using var input = new RecordBuffer();
        input.Append(NotUtf8);
        using var output = new RecordBuffer();
        var e = Assert.Throws<PluginCallException>(() => t.Process(input, output));
        Assert.True(e.IsProtocolViolation);
        Assert.Equal(NpAbi.NP_ERR_INPUT, e.Status);
        Assert.Contains($"plugin '{id}': process broke the protocol: it wrote past the end of the host's error buffer", e.Message);
        Assert.Contains("the instance is poisoned", e.Message);
        Assert.True(t.IsPoisoned);

        using var good = Buffer("a");
        var refused = Assert.Throws<PluginCallException>(() => t.Process(good, output));
        Assert.Equal(NpAbi.NP_ERR_STATE, refused.Status);
        Assert.Contains("the instance is poisoned: an earlier call wrote past the end of the error buffer", refused.Message);
        Assert.Throws<PluginCallException>(() => t.Flush(output));
        Assert.Equal(0, output.Count);
        t.Dispose(); // destroy is still called

        // Other instances of the plugin, and the host, carry on.
        using var other = host.CreateTransform(id);
        Assert.Single(Process(other, "x"));
        AssertStillWorks(host);
    }

    [Fact]
    public void A_write_past_the_error_buffer_in_create_is_a_protocol_violation()
    {
        using var host = HostWith("p5_error_overrun");
        var e = Assert.Throws<PluginCallException>(() => host.CreateTransform(Prefix + "p5-error-overrun", "nope=1"));
        Assert.True(e.IsProtocolViolation);
        Assert.Equal("create", e.Operation);
        Assert.Contains("it wrote past the end of the host's error buffer", e.Message);
    }

    // ---- writes past the output buffer ----

    [Fact]
    public void A_write_past_the_emitter_capacity_is_caught_and_poisons_the_instance()
    {
        using var host = HostWith("p10_emitter_overflow");
        var id = Prefix + "p10-emitter-overflow";
        using var t = host.CreateTransform(id);
        using var input = Buffer("abcd");
        // Room for the body only: the plugin checks 4 bytes, then writes "1:abcd", 2 bytes past the capacity.
        using var output = new RecordBuffer(initialDataCapacity: 4, initialRecordCapacity: 4);
        var e = Assert.Throws<PluginCallException>(() => t.Process(input, output));
        Assert.True(e.IsProtocolViolation);
        Assert.Contains($"plugin '{id}': process broke the protocol: the plugin wrote past the end of the output buffer", e.Message);
        Assert.Contains("the instance is poisoned", e.Message);
        Assert.True(t.IsPoisoned);
        Assert.Equal(0, output.Count); // the call's output was discarded, the buffer is as before and usable
        output.Append("ok");
        Assert.Equal(["ok"], output.ToStringList());
        Assert.Equal(NpAbi.NP_ERR_STATE, Assert.Throws<PluginCallException>(() => t.Process(input, output)).Status);
    }

    [Fact]
    public unsafe void A_write_past_the_capacity_that_leaves_the_counters_valid_is_still_caught()
    {
        using var output = new RecordBuffer(initialDataCapacity: 8, initialRecordCapacity: 2);
        var e = output.BeginCall(Environment.CurrentManagedThreadId, out var call);
        e->data[e->data_capacity] = 0; // the classic terminating NUL one past the end
        var violation = output.EndCall(call, out bool overran);
        Assert.True(overran);
        Assert.Contains("wrote past the end of the output buffer", violation);
        // The guard is re-armed: the next call is clean.
        output.BeginCall(Environment.CurrentManagedThreadId, out var next);
        Assert.Null(output.EndCall(next, out overran));
        Assert.False(overran);
    }

    [Fact]
    public unsafe void A_write_past_the_offsets_capacity_is_caught()
    {
        using var output = new RecordBuffer(initialDataCapacity: 8, initialRecordCapacity: 2);
        var e = output.BeginCall(Environment.CurrentManagedThreadId, out var call);
        e->offsets[e->offsets_capacity] = 7;
        Assert.NotNull(output.EndCall(call, out bool overran));
        Assert.True(overran);
    }

    [Fact]
    public unsafe void The_error_buffer_reads_never_past_its_capacity()
    {
        byte* buffer = stackalloc byte[PluginErrorText.BufferBytes];
        np_error_t error;
        PluginErrorText.Init(&error, buffer);
        Assert.Equal((ulong)PluginErrorText.Capacity, error.capacity);
        Assert.True(PluginErrorText.GuardIntact(buffer));
        var text = "cut\nhere"u8;
        text.CopyTo(new Span<byte>(buffer, text.Length));
        buffer[text.Length] = 0;
        error.len = 100_000;
        Assert.Equal("cut\\x0ahere", PluginErrorText.Read(error, buffer));
        Assert.NotNull(PluginErrorText.Violation(NpAbi.NP_ERR_PLUGIN, error, buffer, out bool overran));
        Assert.False(overran);
        Assert.Null(PluginErrorText.Violation(NpAbi.NP_OK, error, buffer, out _)); // success: len is not read
        buffer[PluginErrorText.Capacity] = 0;
        Assert.False(PluginErrorText.GuardIntact(buffer));
        Assert.Contains("wrote past the end", PluginErrorText.Violation(NpAbi.NP_OK, error, buffer, out overran));
        Assert.True(overran);
    }

    [Fact]
    public unsafe void A_write_past_an_out_bytes_buffer_is_caught_inline_and_after_it_grew()
    {
        byte* inline = stackalloc byte[NativeOutput.InlineBytes];
        np_out_bytes_t output;
        NativeOutput.Init(&output, inline, NativeOutput.InlineBytes);
        Assert.Null(NativeOutput.Violation(&output, inline, out bool overran));
        output.data[output.capacity] = 0;
        Assert.Contains("wrote past the end of the np_out_bytes_t buffer", NativeOutput.Violation(&output, inline, out overran));
        Assert.True(overran);
        // A broken guard is not moved to the heap: reserve refuses, the caller reports.
        Assert.Equal(NpAbi.NP_ERR_INVALID_ARGUMENT, output.reserve(&output, 10_000));

        NativeOutput.Init(&output, inline, NativeOutput.InlineBytes);
        try
        {
            Assert.Equal(NpAbi.NP_OK, output.reserve(&output, 10_000));
            Assert.True(output.capacity >= 10_000);
            Assert.Null(NativeOutput.Violation(&output, inline, out overran));
            output.data[output.capacity + 3] = 1;
            Assert.NotNull(NativeOutput.Violation(&output, inline, out overran));
            Assert.True(overran);
        }
        finally
        {
            NativeOutput.Release(&output);
        }
    }
}
