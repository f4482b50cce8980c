using System.ComponentModel;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// Turns the C arguments of a user interface function into what the C# interface method takes, checking them first
/// (rule P6): a failure throws a <see cref="PluginException"/> naming the parameter, which the boundary reports as the
/// call's status without poisoning the instance (no plugin code ran). Used by bindgen's generated exports.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class InterfaceArguments
{
    /// <summary>Text in (<c>np_str_t</c>, UTF-8): NP_ERR_INPUT when it is not valid UTF-8 or has a NULL pointer.</summary>
    public static string Text(np_str_t value, string parameter) =>
        NativeText.TryDecode(value, out string? problem)
        ?? throw new PluginException(NpAbi.NP_ERR_INPUT, $"{parameter}: {problem}");

    /// <summary>Bytes in (<c>np_bytes_t</c>): a view of the caller's memory, valid for the call.</summary>
    public static ReadOnlySpan<byte> Bytes(np_bytes_t value, string parameter)
    {
        if (value.len == 0)
            return [];
        if (value.ptr is null)
            throw new PluginException(NpAbi.NP_ERR_INVALID_ARGUMENT, $"{parameter} has length {value.len} but a NULL pointer");
        if (value.len > int.MaxValue)
            throw new PluginException(NpAbi.NP_ERR_INPUT, $"{parameter} is {value.len} bytes long (at most {int.MaxValue})");
        return new ReadOnlySpan<byte>(value.ptr, (int)value.len);
    }

    /// <summary>A variable-size result (<c>np_out_bytes_t *</c>): NP_ERR_INVALID_ARGUMENT when the caller's struct
    /// breaks the protocol of nplug/np_types.h.</summary>
    public static OutBytes Output(np_out_bytes_t* value, string parameter) =>
        OutBytes.Validate(value, parameter) is { } problem
            ? throw new PluginException(NpAbi.NP_ERR_INVALID_ARGUMENT, problem)
            : new OutBytes(value);

    /// <summary>An integer result's pointer (<c>out_*</c>): NP_ERR_INVALID_ARGUMENT when NULL.</summary>
    public static T* Result<T>(T* value, string parameter)
        where T : unmanaged =>
        value is not null ? value : throw new PluginException(NpAbi.NP_ERR_INVALID_ARGUMENT, $"{parameter} is NULL");
}
