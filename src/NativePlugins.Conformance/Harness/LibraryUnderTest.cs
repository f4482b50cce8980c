using System.Diagnostics;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>The library could not be opened or entered at all; every check that needs it reports this reason.</summary>
internal sealed class LibraryUnusableException(string reason) : Exception(reason);

/// <summary>What one np_entry call did to the negotiation struct, read against the sentinels written before it.</summary>
internal sealed record NegotiationOutcome(
    uint HostMajor,
    uint HostMinor,
    int Status,
    TimeSpan Elapsed,
    uint AbiMajorAfter,
    uint AbiMinorAfter,
    uint? LibraryMajor,
    uint? LibraryMinor,
    ulong? Fingerprint,
    IntPtr? LayoutReport,
    IntPtr? Library,
    uint StructSizeAfter,
    uint ReservedAfter,
    IReadOnlyList<string> HostCalls)
{
    public bool Accepted => Status == NpAbi.NP_OK;
    public string Host => $"{HostMajor}.{HostMinor}";
}

/// <summary>
/// The plugin library being checked, driven over the raw ABI: opened with NativeLibrary, entered through np_entry with
/// any version a check wants, initialised with a watching <see cref="TestHost"/>. Never unloaded (rule H6: the checker
/// cannot know whether a library may be unloaded; NativeAOT libraries may not), so one instance per worker process.
/// </summary>
internal sealed unsafe class LibraryUnderTest : IDisposable
{
    private const uint U32Sentinel = 0xDEAD_BEEF;
    private const ulong FingerprintSentinel = 0xFEED_FACE_CAFE_BEEFUL;
    private static readonly IntPtr PointerSentinel = unchecked((IntPtr)0x5E47_1E15_5E47_1E10L);

    private readonly delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, int> _entry;
    private LibrarySnapshot? _snapshot;
    private np_library_t* _library;
    private int _initCount;

    private LibraryUnderTest(string path, IntPtr handle, IntPtr entry, TimeSpan loadTime)
    {
        Path = path;
        Handle = handle;
        _entry = (delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, int>)entry;
        LoadTime = loadTime;
    }

    public string Path { get; }
    public IntPtr Handle { get; }
    /// <summary>dlopen + dlsym time of this process's load.</summary>
    public TimeSpan LoadTime { get; }
    /// <summary>The minor agreed at the checker's own version (set once entered).</summary>
    public uint AgreedMinor { get; private set; }
    /// <summary>The table given to init, while initialised.</summary>
    public TestHost? LibraryHost { get; private set; }
    /// <summary>How long the first init took.</summary>
    public TimeSpan? FirstInitTime { get; private set; }

    /// <summary>True when this process has the file mapped already (then a "cold" load cannot be measured).</summary>
    public static bool IsMapped(string path)
    {
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            return File.ReadLines("/proc/self/maps").Any(l => l.EndsWith(full, StringComparison.Ordinal));
        }
        catch (IOException) { return false; }
    }

    /// <summary>dlopen + dlsym("np_entry"). Throws <see cref="LibraryUnusableException"/> with the loader's reason.</summary>
    public static LibraryUnderTest Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new LibraryUnusableException($"{full}: no such file");
        // Calling a data symbol would execute data: refuse before the loader runs any code of the file.
        if (ElfExports.Find(full, NpAbi.NP_ENTRY_SYMBOL_STRING) is { Found: true, IsFunction: false } symbol)
            throw new LibraryUnusableException($"{full}: '{NpAbi.NP_ENTRY_SYMBOL_STRING}' is exported as {symbol.Description}, not a function: it cannot be called");
        var watch = Stopwatch.StartNew();
        IntPtr handle;
        try { handle = NativeLibrary.Load(full); }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new LibraryUnusableException($"{full}: the dynamic loader refused it: {e.Message}");
        }
        if (!NativeLibrary.TryGetExport(handle, NpAbi.NP_ENTRY_SYMBOL_STRING, out var entry))
            throw new LibraryUnusableException($"{full}: exports no symbol '{NpAbi.NP_ENTRY_SYMBOL_STRING}': not a NativePlugins library");
        return new LibraryUnderTest(full, handle, entry, watch.Elapsed);
    }

    /// <summary>Calls np_entry as a host of version <paramref name="major"/>.<paramref name="minor"/> would, with every
    /// "out" field pre-set to a sentinel so that the outcome shows exactly what the library wrote.
    /// <paramref name="error"/> goes into np_negotiation_t.error (ABI 1.2); <paramref name="structSize"/>, when given,
    /// replaces sizeof(np_negotiation_t), as an older host's smaller struct (the fields beyond it are still there in
    /// memory, so a library that reads past it is seen, not a crash).</summary>
    public NegotiationOutcome Negotiate(uint major, uint minor, np_error_t* error = null, uint? structSize = null)
    {
        var n = new np_negotiation_t
        {
            struct_size = structSize ?? (uint)sizeof(np_negotiation_t),
            abi_major = major,
            abi_minor = minor,
            library_abi_major = U32Sentinel,
            library_abi_minor = U32Sentinel,
            reserved = 0,
            layout_fingerprint = FingerprintSentinel,
            layout_report = (np_layout_report_t*)PointerSentinel,
            error = error,
        };
        var library = (np_library_t*)PointerSentinel;
        int status;
        var watch = Stopwatch.StartNew();
        using (HostCallGuard.Enter("np_entry")) status = _entry(&n, &library);
        var elapsed = watch.Elapsed;
        return new NegotiationOutcome(
            major, minor, status, elapsed,
            n.abi_major, n.abi_minor,
            n.library_abi_major == U32Sentinel ? null : n.library_abi_major,
            n.library_abi_minor == U32Sentinel ? null : n.library_abi_minor,
            n.layout_fingerprint == FingerprintSentinel ? null : n.layout_fingerprint,
            (IntPtr)n.layout_report == PointerSentinel ? null : (IntPtr)n.layout_report,
            (IntPtr)library == PointerSentinel ? null : (IntPtr)library,
            n.struct_size, n.reserved,
            HostCallGuard.Drain());
    }

    /// <summary>The library descriptor at the checker's own ABI version (np_entry called once, lazily).</summary>
    public np_library_t* Library
    {
        get
        {
            if (_library != null) return _library;
            using var error = new ErrorBuffer();
            var outcome = Negotiate(NpAbi.NP_ABI_MAJOR, NpAbi.NP_ABI_MINOR, error.Ptr);
            if (!outcome.Accepted)
                throw new LibraryUnusableException(
                    $"np_entry refused a host of ABI {outcome.Host} with {Status.Name(outcome.Status)}" +
                    (outcome.LibraryMajor is { } lm ? $" (the library speaks {lm}.{outcome.LibraryMinor})" : "") +
                    (error.Message is { Length: > 0 } ? $": {error.Describe()}" : ""));
            if (outcome.Library is not { } lib || lib == IntPtr.Zero)
                throw new LibraryUnusableException("np_entry returned NP_OK but did not set *out_library");
            AgreedMinor = outcome.AbiMinorAfter;
            _library = (np_library_t*)lib;
            return _library;
        }
    }

    /// <summary>The descriptors as read at the checker's version.</summary>
    public LibrarySnapshot Snapshot => _snapshot ??= LibrarySnapshot.Read(Library, MemoryCheck());

    /// <summary>Rule H3: the memory map to check a library's pointers against, made now (after the np_entry call
    /// whose pointers are read: memory it allocated is in it), anchored at np_entry (the library's own segments).</summary>
    public LoadedMemory MemoryCheck() => LoadedMemory.ForLibrary((nint)_entry);

    public bool IsInitialized => _initCount > 0;

    /// <summary>Calls init once for this process (with its own watching table) unless already done. Throws
    /// <see cref="LibraryUnusableException"/> when init fails or is NULL.</summary>
    public void EnsureInitialized()
    {
        if (_initCount > 0) return;
        var lib = Library;
        if (lib->init == null) throw new LibraryUnusableException("np_library_t.init is NULL");
        if (!Snapshot.InitCallable)
            throw new LibraryUnusableException("np_library_t: " + string.Join("; ", Snapshot.Problems));
        LibraryHost ??= new TestHost("library", AgreedMinor);
        using var error = new ErrorBuffer();
        var watch = Stopwatch.StartNew();
        var status = lib->init(LibraryHost.Table, error.Ptr);
        FirstInitTime ??= watch.Elapsed;
        if (status != NpAbi.NP_OK)
            throw new LibraryUnusableException($"init failed with {Status.Name(status)}: {error.Describe()}");
        _initCount = 1;
    }

    /// <summary>Undoes <see cref="EnsureInitialized"/> (after every instance was destroyed, rule H6).</summary>
    public void Deinit()
    {
        if (_initCount == 0) return;
        _initCount = 0;
        Library->deinit();
    }

    public void Dispose() => Deinit();
}
