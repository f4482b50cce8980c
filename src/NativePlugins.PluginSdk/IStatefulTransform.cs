namespace NativePlugins.PluginSdk;

/// <summary>
/// <c>np.state/1</c> (ABI 1.3) for a <see cref="TransformPlugin"/>: the instance's whole state as bytes, so that a
/// host's hot reload carries a count, a window or a held-back record over to the new version of the plugin. A
/// [NativePlugin] class that derives from <see cref="TransformPlugin"/> and implements this interface lists
/// <c>np.state/1</c> after <c>np.transform/1</c> (the source generator adds it).
/// <para>The SDK refuses a restore into an instance with a stream open (<c>NP_ERR_STATE</c>), so
/// <see cref="RestoreState"/> always runs on a just-created (or just-flushed) instance; after a successful one the
/// stream counts as open, so the next flush reaches <see cref="TransformPlugin.Flush"/>. Exceptions are contained
/// as for every call: a <see cref="PluginException"/> is its status, anything else poisons the instance.</para>
/// </summary>
public interface IStatefulTransform
{
    /// <summary>Writes the whole state to <paramref name="output"/>, leaving the instance unchanged. Put a format tag
    /// first: the bytes may be restored by another version of the plugin.</summary>
    void SaveState(OutBytes output);

    /// <summary>Takes bytes <see cref="SaveState"/> wrote (valid during the call only: copy what you keep). Check them
    /// first: bytes this version does not understand are <c>throw new PluginException(NpAbi.NP_ERR_INPUT, ...)</c>,
    /// never another exception (rule P13), and leave the instance as it was.</summary>
    void RestoreState(ReadOnlySpan<byte> state);
}
