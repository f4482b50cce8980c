using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Rule P1 from the host's side: what a host accepts back from <c>np_entry</c>. A pure function of the answer, so that
/// every case of interop/vectors/host-negotiation.tsv (which the C host runs too) is tested without a library.
/// Anything about versions is <see cref="PluginLoadError.VersionMismatch"/>; any other broken answer
/// <see cref="PluginLoadError.EntryFailed"/>.
/// </summary>
internal static class NegotiationAnswer
{
    /// <summary>What the host writes into library_abi_major/minor before the call, to see whether the library wrote
    /// its version (rule P1: it always must).</summary>
    public const uint Unset = 0xFFFF_FFFFu;

    /// <summary>Null when the host accepts the answer (the library is loaded at <paramref name="agreedMinor"/>);
    /// otherwise the typed reason and a message.</summary>
    /// <param name="host">The version the host offered.</param>
    /// <param name="status">np_entry's return value.</param>
    /// <param name="agreedMajor">np_negotiation_t.abi_major after the call.</param>
    /// <param name="agreedMinor">np_negotiation_t.abi_minor after the call.</param>
    /// <param name="libraryMajor">np_negotiation_t.library_abi_major after the call (<see cref="Unset"/>: unwritten).</param>
    /// <param name="libraryMinor">np_negotiation_t.library_abi_minor after the call (<see cref="Unset"/>: unwritten).</param>
    public static (PluginLoadError Error, string Message)? Check(AbiVersion host, int status, uint agreedMajor,
        uint agreedMinor, uint libraryMajor, uint libraryMinor)
    {
        bool reported = libraryMajor != Unset && libraryMinor != Unset;
        string library = reported ? new AbiVersion(libraryMajor, libraryMinor).ToString() : "an unreported version";
        if (status == NpAbi.NP_ERR_VERSION)
            return (PluginLoadError.VersionMismatch, !reported
                ? $"np_entry refused the host's ABI {host} with NP_ERR_VERSION without reporting its own version (rule P1)"
                : libraryMajor != host.Major
                    ? $"the library speaks ABI {library}, the host ABI {host} (majors differ)"
                    : $"np_entry refused the host's ABI {host} with NP_ERR_VERSION although the library speaks {library} (rule P1)");
        if (status != NpAbi.NP_OK)
            return (PluginLoadError.EntryFailed, $"np_entry returned {NpStatus.Name(status)} ({status})");
        if (!reported)
            return (PluginLoadError.EntryFailed,
                "np_entry returned NP_OK without writing library_abi_major/library_abi_minor (rule P1)");
        if (libraryMajor != host.Major)
            return (PluginLoadError.VersionMismatch,
                $"np_entry accepted the host's ABI {host} but the library speaks ABI {library} (another major must be " +
                "refused with NP_ERR_VERSION, rule P1)");
        uint expected = Math.Min(host.Minor, libraryMinor);
        if (agreedMajor != host.Major || agreedMinor != expected)
            return (PluginLoadError.VersionMismatch,
                $"the library agreed on ABI {agreedMajor}.{agreedMinor}; rule P1 requires min(host {host}, library " +
                $"{library}) = {host.Major}.{expected}");
        return null;
    }
}
