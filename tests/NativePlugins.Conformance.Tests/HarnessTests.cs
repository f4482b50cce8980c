using NativePlugins.Conformance.Harness;
using NativePlugins.Conformance.Runner;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Tests;

/// <summary>The detectors the checks rely on can fail: each is shown a violation (made from C#) and must see it.</summary>
public unsafe class HarnessTests
{
    [Fact]
    public void Error_buffer_sees_a_write_past_capacity_a_missing_message_and_invalid_utf8()
    {
        using var buffer = new ErrorBuffer(8);
        Assert.Empty(buffer.ChangesAfterSuccess());
        Assert.Contains(buffer.ProblemsAfterFailure(), p => p.Contains("len was not written"));

        "0123456789"u8.CopyTo(new Span<byte>(buffer.Ptr->message, 10)); // two bytes too many
        buffer.Ptr->len = 8;
        Assert.Contains(buffer.ProblemsAfterFailure(), p => p.Contains("past capacity 8"));
        Assert.NotEmpty(buffer.ChangesAfterSuccess());

        buffer.Reset();
        buffer.Ptr->message[0] = 0xC3; // a 2-byte sequence cut after its first byte
        buffer.Ptr->len = 1;
        Assert.Contains(buffer.ProblemsAfterFailure(), p => p.Contains("not valid UTF-8"));

        buffer.Reset();
        "ok"u8.CopyTo(new Span<byte>(buffer.Ptr->message, 2));
        buffer.Ptr->len = 2;
        Assert.Empty(buffer.ProblemsAfterFailure());
    }

    [Fact]
    public void Emitter_sees_writes_past_capacity_and_into_released_buffers()
    {
        using var emitter = new TestEmitter(EmitterOptions.Tiny);
        var e = emitter.Ptr;
        Assert.Empty(emitter.CapacityProblems());

        // A well-behaved append through reserve.
        Assert.Equal(NpAbi.NP_OK, e->reserve(e, 3, 1));
        var before = e->data; // reserve always moves in Tiny mode
        "abc"u8.CopyTo(new Span<byte>(e->data, 3));
        e->data_used = 3;
        e->offsets[++e->count] = 3;
        Assert.Empty(emitter.CapacityProblems());
        Assert.Equal(["abc"], emitter.Records().Select(r => System.Text.Encoding.UTF8.GetString(r)));

        // Reserve again, then write through the stale pointer: the released buffer shows it.
        Assert.Equal(NpAbi.NP_OK, e->reserve(e, 2, 1));
        Assert.NotEqual((IntPtr)before, (IntPtr)e->data);
        before[3] = (byte)'x';
        Assert.Contains(emitter.ReleasedBufferWrites(), p => p.Contains("replaced"));

        // A write past capacity lands in the guard bytes.
        e->data[e->data_capacity] = (byte)'!';
        Assert.Contains(emitter.CapacityProblems(), p => p.Contains("past data_capacity"));
    }

    [Fact]
    public void Emitter_counts_reserve_calls_after_a_failure()
    {
        using var emitter = new TestEmitter(EmitterOptions.Tiny with { FailReserveAfter = 1 });
        var e = emitter.Ptr;
        Assert.Equal(NpAbi.NP_OK, e->reserve(e, 1, 1));
        Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, e->reserve(e, 1, 1));
        Assert.True(emitter.AnyReserveFailed);
        Assert.Equal(0, emitter.ReservesAfterFailure);
        Assert.Equal(NpAbi.NP_ERR_OUT_OF_MEMORY, e->reserve(e, 1, 1));
        Assert.Equal(1, emitter.ReservesAfterFailure);
        emitter.Close();
        e->reserve(e, 1, 1);
        Assert.Contains(emitter.ProtocolProblems, p => p.Contains("after the call"));
    }

    [Fact]
    public void Emitter_sees_rewritten_prefill()
    {
        using var emitter = new TestEmitter(EmitterOptions.Tiny with { Prefill = ["keep"u8.ToArray()] });
        Assert.Empty(emitter.CapacityProblems());
        emitter.Ptr->data[0] = (byte)'K';
        Assert.Contains(emitter.CapacityProblems(), p => p.Contains("only append"));
    }

    [Fact]
    public void Elf_reader_tells_a_function_export_from_a_data_export()
    {
        var ok = ElfExports.Find(Native.Fixture("libnpfx_ok.so"), "np_entry");
        Assert.NotNull(ok);
        Assert.True(ok.Value.Found);
        Assert.True(ok.Value.IsFunction);
        Assert.False(ElfExports.Find(Native.Fixture("libnpfx_ok.so"), "npf_init")!.Value.Found); // hidden: not exported

        var data = RepoLayout.Fixture("libnp_fixture_data_entry.so");
        var symbol = ElfExports.Find(data, "np_entry")!.Value;
        Assert.True(symbol.Found);
        Assert.False(symbol.IsFunction);
        Assert.Null(ElfExports.Find(RepoLayout.RepoFile(Path.Combine("interop", "README.md")), "np_entry")); // not ELF
    }

    [Theory]
    [InlineData(139, "SIGSEGV")]
    [InlineData(134, "SIGABRT")]
    [InlineData(3, "exited with code 3")]
    public void Worker_exit_codes_are_named(int exitCode, string expected) =>
        Assert.Contains(expected, Signals.DescribeExit(exitCode));
}
