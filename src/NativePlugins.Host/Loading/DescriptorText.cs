using System.Runtime.CompilerServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>The name of a descriptor field in error messages: <c>name</c>, <c>plugins[3]</c> or
/// <c>plugins[3].id</c>. A struct passed by value and formatted only when a check fails, so that validating a
/// good descriptor builds no message strings.</summary>
internal readonly struct FieldName(string name, ulong index = FieldName.NoIndex, string? member = null)
{
    private const ulong NoIndex = ulong.MaxValue;

    public static implicit operator FieldName(string name) => new(name);

    /// <summary>True for <c>default</c>: no name.</summary>
    public bool IsEmpty => name is null;

    public override string ToString() =>
        index == NoIndex ? name : member is null ? $"{name}[{index}]" : $"{name}[{index}].{member}";
}

/// <summary>The strings of a library's descriptors read by the rules of <see cref="NativeText"/> (rule P2), a
/// refusal raised as the <see cref="PluginLoadException"/> that names the field, the file and the plugin.</summary>
internal static unsafe class DescriptorText
{
    /// <summary>The bytes of a string (not copied). Never reads when the pointer is NULL, the length absurd or the
    /// bytes not all in readable memory (<paramref name="memory"/>; <paramref name="pointerField"/> names the
    /// pointer for that refusal, e.g. <c>np_plugin_descriptor_t.id.ptr</c>).</summary>
    public static ReadOnlySpan<byte> Bytes(np_str_t s, FieldName what, string file, string? pluginId,
        LoadedMemory memory, string pointerField)
    {
        var problem = NativeText.TryGetBytes(s, NativeText.MaxDescriptorStringBytes, out var bytes);
        if (problem != NativeTextProblem.None) throw Refused(problem, s, what, file, pluginId);
        if (s.len > 0 && !memory.IsReadable(s.ptr, s.len))
            throw PointerCheck.Unreadable(file, pluginId, pointerField, what, s.ptr, s.len);
        return bytes;
    }

    /// <summary>A validated UTF-8 string copied into managed memory.</summary>
    public static string Read(np_str_t s, FieldName what, string file, string? pluginId, LoadedMemory memory,
        string pointerField)
    {
        var bytes = Bytes(s, what, file, pluginId, memory, pointerField);
        if (bytes.IsEmpty) return string.Empty;
        if (!NativeText.IsUtf8(bytes)) throw NotUtf8(bytes, what, file, pluginId);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The refusal of a string that is not valid UTF-8 (built on the failure path only).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static PluginLoadException NotUtf8(ReadOnlySpan<byte> bytes, FieldName what, string file, string? pluginId) =>
        new(PluginLoadError.InvalidUtf8, file, pluginId,
            $"{what} {NativeText.Describe(NativeTextProblem.NotUtf8, default, 0)} ({NativeText.Escape(bytes)})");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PluginLoadException Refused(NativeTextProblem problem, np_str_t s, FieldName what, string file, string? pluginId) =>
        new(problem == NativeTextProblem.NullPointer ? PluginLoadError.NullPointer : PluginLoadError.InvalidValue, file, pluginId,
            $"{what} {NativeText.Describe(problem, s, NativeText.MaxDescriptorStringBytes)}");
}
