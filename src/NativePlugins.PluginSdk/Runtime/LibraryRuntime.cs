using System.ComponentModel;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk.Runtime;

/// <summary>
/// The library-level exports (np_entry, init, deinit) behind the generated [UnmanagedCallersOnly] functions. Each runs
/// through <see cref="ExportBoundary"/>, which contains every exception: one escaping an [UnmanagedCallersOnly] method
/// aborts the host. The library state comes through <c>library</c>, a function the generated code passes, so that even
/// a failure of the generated class's static initialization (a plugin's ConfigSchema that throws) is contained.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class LibraryRuntime
{
    // Where np_negotiation_t.library_abi_minor and np_negotiation_t.error end, from the generated struct (no
    // hand-written offsets).
    private static readonly uint s_libraryVersionEnd = LibraryVersionEnd();
    private static readonly uint s_errorEnd = ErrorEnd();

    private static uint LibraryVersionEnd()
    {
        np_negotiation_t probe = default;
        return (uint)((byte*)&probe.library_abi_minor - (byte*)&probe) + sizeof(uint);
    }

    private static uint ErrorEnd()
    {
        np_negotiation_t probe = default;
        return (uint)((byte*)&probe.error - (byte*)&probe) + (uint)sizeof(np_error_t*);
    }

    /// <summary>
    /// np_entry, exactly as rule P1 says: always write library_abi_major/minor; NP_ERR_VERSION for another major
    /// (writing nothing else); otherwise agree on min(host minor, own minor), write that minor's layout fingerprint
    /// and the layout report, and hand over the library descriptor. Never calls the host (rule P3). A refusal says
    /// why in the host's error buffer (<c>np_negotiation_t.error</c>, ABI 1.2) when the host's struct_size covers it;
    /// success leaves that buffer untouched (rule P5). Any exception (only an allocation failure while building the
    /// descriptors, or the library's own static initialization, can throw) is NP_ERR_PANIC with its message there.
    /// </summary>
    public static int Entry(delegate*<LibraryState> library, np_negotiation_t* negotiation, np_library_t** outLibrary,
        LibraryMode mode, void* shimServices)
    {
        var body = new EntryBody(library, negotiation, outLibrary, mode, shimServices);
        return ExportBoundary.Run(ref body, NegotiationError(negotiation));
    }

    /// <summary>The host's error buffer for np_entry: <c>np_negotiation_t.error</c> when the host's struct_size covers
    /// that field (a 1.0/1.1 host's struct ends before it: what lies there is not the host's buffer), else NULL.</summary>
    internal static np_error_t* NegotiationError(np_negotiation_t* negotiation) =>
        negotiation is not null && negotiation->struct_size >= s_errorEnd ? negotiation->error : null;

    /// <summary>init: validates the host table and counts the load (init/deinit may repeat, rule P3).</summary>
    public static int Init(delegate*<LibraryState> library, np_host_t* host, np_error_t* error)
    {
        var body = new InitBody(library, host);
        return ExportBoundary.Run(ref body, error);
    }

    /// <summary>deinit: undoes one init. It returns nothing: a failure has nobody to tell.</summary>
    public static void Deinit(delegate*<LibraryState> library)
    {
        var body = new DeinitBody(library);
        ExportBoundary.Run(ref body, null);
    }

    // The library-level calls run no plugin code: every exception is a panic (IsPluginStatus is false), and there is
    // no instance to poison nor an instance's host table to log to.

    private readonly struct EntryBody(delegate*<LibraryState> library, np_negotiation_t* negotiation,
        np_library_t** outLibrary, LibraryMode mode, void* shimServices) : IExportBody
    {
        public int Run(np_error_t* error)
        {
            if (negotiation is null)
                return NpAbi.NP_ERR_INVALID_ARGUMENT;
            uint size = negotiation->struct_size;
            if (size >= s_libraryVersionEnd)
            {
                negotiation->library_abi_major = NpAbi.NP_ABI_MAJOR;
                negotiation->library_abi_minor = NpAbi.NP_ABI_MINOR;
            }
            // The least size is the x.0 size, never today's sizeof: a later minor may grow the struct, and its hosts
            // must still be accepted (rule P2; interop/vectors/negotiation.tsv). A struct that small has no error
            // field: error is NULL then.
            if (size < NpAbi.NP_MIN_SIZEOF_np_negotiation_t)
                return NpAbi.NP_ERR_INVALID_ARGUMENT;
            if (outLibrary is null)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT,
                    $"{LibraryState.SdkName}: np_entry: out_library is NULL");
            if (negotiation->abi_major != NpAbi.NP_ABI_MAJOR)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_VERSION,
                    $"{LibraryState.SdkName}: this library speaks ABI {NpAbi.NP_ABI_MAJOR}.{NpAbi.NP_ABI_MINOR}; " +
                    $"the host speaks major {negotiation->abi_major}");

            np_library_t* descriptor = library().GetOrBuildDescriptor(mode, shimServices);
            uint agreed = Math.Min(negotiation->abi_minor, NpAbi.NP_ABI_MINOR);
            negotiation->abi_minor = agreed;
            negotiation->layout_fingerprint = AbiLayout.Fingerprint(agreed);
            negotiation->layout_report = AbiLayout.Report;
            *outLibrary = descriptor;
            return NpAbi.NP_OK;
        }

        public bool IsPluginStatus(int status) => false;
        public void OnPluginStatus() { }
        public string Subject() => "library";
        public void OnPanic(Exception exception, string message) { }
        public void Exit() { }
    }

    private readonly struct InitBody(delegate*<LibraryState> library, np_host_t* host) : IExportBody
    {
        public int Run(np_error_t* error)
        {
            if (HostTable.Validate(host) is { } problem)
                return ErrorReporter.Fail(error, NpAbi.NP_ERR_INVALID_ARGUMENT, problem);
            library().AddInit();
            return NpAbi.NP_OK;
        }

        public bool IsPluginStatus(int status) => false;
        public void OnPluginStatus() { }
        public string Subject() => "library";
        public void OnPanic(Exception exception, string message) { }
        public void Exit() { }
    }

    private readonly struct DeinitBody(delegate*<LibraryState> library) : IExportBody
    {
        public int Run(np_error_t* error)
        {
            library().RemoveInit();
            return NpAbi.NP_OK;
        }

        public bool IsPluginStatus(int status) => false;
        public void OnPluginStatus() { }
        public string Subject() => "library";
        public void OnPanic(Exception exception, string message) { }
        public void Exit() { }
    }
}

/// <summary>Checks an <c>np_host_t</c> before the SDK keeps or calls it (rule P6).</summary>
internal static unsafe class HostTable
{
    public static string? Validate(np_host_t* host)
    {
        if (host is null)
            return "host table is NULL";
        if (host->struct_size < (uint)sizeof(np_host_t))
            return $"host table struct_size is {host->struct_size}, expected at least {sizeof(np_host_t)}";
        if (host->log is null || host->alloc is null || host->free is null || host->get_extension is null)
            return "host table has a NULL function (log, alloc, free and get_extension are required)";
        return null;
    }
}
