using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Host.Tests;

/// <summary>PluginCallException.RecordIndex: np_error_t.code is the refused record's index + 1 for NP_ERR_INPUT only
/// (interop/README.md section 7); 0 means the plugin did not say.</summary>
public class RecordIndexTests
{
    [Theory]
    [InlineData(NpAbi.NP_ERR_INPUT, 1, 0L)]
    [InlineData(NpAbi.NP_ERR_INPUT, 4, 3L)]
    [InlineData(NpAbi.NP_ERR_INPUT, int.MaxValue, int.MaxValue - 1L)]
    [InlineData(NpAbi.NP_ERR_INPUT, 0, null)]
    [InlineData(NpAbi.NP_ERR_INPUT, -5, null)]
    [InlineData(NpAbi.NP_ERR_PLUGIN, 4, null)]
    public void Only_an_input_error_with_a_positive_code_names_a_record(int status, int code, long? expected)
    {
        var e = new PluginCallException("process", status, "org.example.x", "/x.so", "bad", code);
        Assert.Equal(expected, e.RecordIndex);
        Assert.Equal(expected is not null, e.Message.Contains($"at record {expected}"));
    }
}
