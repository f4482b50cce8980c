using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Runtime;

namespace NativePlugins.PluginSdk.Tests.Sdk;

public sealed unsafe class ErrorReporterTests
{
    private static (int Status, string Text, ulong Length, int Code, byte[] Raw) Write(int capacity, int status, string message, int code = 0)
    {
        byte[] buffer = Enumerable.Repeat((byte)0xAA, capacity + 4).ToArray();
        fixed (byte* bytes = buffer)
        {
            var error = new np_error_t { message = bytes, capacity = (ulong)capacity };
            int returned = ErrorReporter.Fail(&error, status, message, code);
            return (returned, Encoding.UTF8.GetString(bytes, (int)error.len), error.len, error.code, buffer);
        }
    }

    [Fact]
    public void Writes_message_length_and_code()
    {
        var (status, text, length, code, _) = Write(256, NpAbi.NP_ERR_INPUT, "bad record", 7);
        Assert.Equal(NpAbi.NP_ERR_INPUT, status);
        Assert.Equal("bad record", text);
        Assert.Equal(10ul, length);
        Assert.Equal(7, code);
    }

    [Fact]
    public void Truncates_at_a_utf8_character_boundary_and_never_writes_past_capacity()
    {
        // "aé€" is 1 + 2 + 3 bytes; 5 bytes of room hold "aé" (3 bytes) but not the 3-byte euro sign.
        var (_, text, length, _, raw) = Write(5, NpAbi.NP_ERR_PLUGIN, "aé€x");
        Assert.Equal("aé", text);
        Assert.Equal(3ul, length);
        Assert.All(raw[5..], b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public void S7_an_empty_message_becomes_the_status_name()
    {
        var (_, text, _, _, _) = Write(64, NpAbi.NP_ERR_CONFIG, "");
        Assert.Equal("NP_ERR_CONFIG", text);
    }

    [Fact]
    public void No_buffer_means_no_write()
    {
        Assert.Equal(NpAbi.NP_ERR_STATE, ErrorReporter.Fail(null, NpAbi.NP_ERR_STATE, "x"));
        var zero = new np_error_t { message = (byte*)NativeMemory.Alloc(1), capacity = 0 };
        Assert.Equal(NpAbi.NP_ERR_STATE, ErrorReporter.Fail(&zero, NpAbi.NP_ERR_STATE, "x"));
        Assert.Equal(0ul, zero.len);
    }
}
