using NativePlugins.Interop;

namespace NativePlugins.PluginSdk;

/// <summary>
/// An error a plugin reports on purpose. Thrown from a constructor, <see cref="TransformPlugin.Process"/> or
/// <see cref="TransformPlugin.Flush"/>, it becomes the call's status (<see cref="Status"/>) and message in the
/// host's <c>np_error_t</c>, and the instance stays usable. Any other exception is a bug: it is returned as
/// <c>NP_ERR_PANIC</c> and poisons the instance (rule P7).
/// </summary>
public class PluginException : Exception
{
    /// <summary>Creates an error with a status (one of the negative <c>NpAbi.NP_ERR_*</c> codes).</summary>
    public PluginException(int status, string message, int detailCode = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        if (status >= NpAbi.NP_OK)
            throw new ArgumentOutOfRangeException(nameof(status), status, "a PluginException carries a failing (negative) status");
        Status = status;
        DetailCode = detailCode;
    }

    /// <summary>The np_status returned to the host.</summary>
    public int Status { get; }

    /// <summary>Optional plugin-specific detail code written to <c>np_error_t.code</c>.</summary>
    public int DetailCode { get; }

    /// <summary><c>NP_ERR_CONFIG</c>: the config string is malformed or names an unknown option.</summary>
    public static PluginException Config(string message, Exception? innerException = null) =>
        new(NpAbi.NP_ERR_CONFIG, message, 0, innerException);

    /// <summary><c>NP_ERR_INPUT</c>: a record the plugin cannot process. The instance stays usable.</summary>
    public static PluginException Input(string message, int detailCode = 0) => new(NpAbi.NP_ERR_INPUT, message, detailCode);

    /// <summary>
    /// NP_ERR_INPUT for record <paramref name="recordIndex"/> of the batch (0-based): the host reads the index from
    /// <c>np_error_t.code</c>, which holds index + 1 (interop/README.md section 7; 0 when the index is above
    /// <c>int.MaxValue - 1</c>, that is: not known).
    /// </summary>
    public static PluginException InputAt(long recordIndex, string message) =>
        new(NpAbi.NP_ERR_INPUT, message, recordIndex >= 0 && recordIndex < int.MaxValue ? (int)(recordIndex + 1) : 0);

    /// <summary><c>NP_ERR_PLUGIN</c>: the plugin failed internally but stays usable.</summary>
    public static PluginException Failure(string message, int detailCode = 0) => new(NpAbi.NP_ERR_PLUGIN, message, detailCode);

    /// <summary><c>NP_ERR_UNSUPPORTED</c>: a feature or option the plugin does not support.</summary>
    public static PluginException Unsupported(string message) => new(NpAbi.NP_ERR_UNSUPPORTED, message);
}
