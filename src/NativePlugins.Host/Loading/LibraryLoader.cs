using System.Collections.Immutable;
using System.Runtime.InteropServices;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>A library that was opened, negotiated with and validated (steps 1-3 of the loading sequence in
/// interop/README.md section 1), but not yet initialized.</summary>
internal sealed unsafe class OpenedLibrary(
    string filePath, LibraryHandle handle, np_library_t library, np_negotiation_t negotiation, string sdk,
    ulong? flags, ImmutableArray<ValidatedPlugin> plugins)
{
    public string FilePath { get; } = filePath;
    public LibraryHandle Handle { get; } = handle;

    /// <summary>The library descriptor as read per rule H2 (a copy: init and deinit are called through it).</summary>
    public np_library_t Library { get; } = library;
    public AbiVersion Agreed { get; } = new(negotiation.abi_major, negotiation.abi_minor);
    public AbiVersion LibraryAbi { get; } = new(negotiation.library_abi_major, negotiation.library_abi_minor);
    public ulong LayoutFingerprint { get; } = negotiation.layout_fingerprint;
    public bool HasLayoutReport { get; } = negotiation.layout_report != null;
    public string Sdk { get; } = sdk;

    /// <summary>np_library_t.flags; null when the library's struct or the agreed minor does not reach them (1.0/1.1).</summary>
    public ulong? Flags { get; } = flags;
    public ImmutableArray<ValidatedPlugin> Plugins { get; } = plugins;
}

/// <summary>
/// Opens a library file: check it before dlopen (the load policy, and <see cref="LibraryFileProbe"/>: a file
/// dlopen would hang or crash on never reaches it), dlopen with eager binding (<see cref="EagerBinding"/>), find <c>np_entry</c>
/// and check that it is a function (<see cref="EntrySymbol"/>), negotiate the version
/// (Vulkan-style in/out minor), check the layout fingerprint, validate every descriptor (rule H3). Nothing of the
/// library is called before its descriptors were validated except <c>np_entry</c> itself.
/// </summary>
internal static unsafe class LibraryLoader
{
    /// <summary>Opens <paramref name="path"/>; <paramref name="canUnload"/> decides from the library's sdk string and
    /// flags (null when not readable) whether the file may be unloaded later (rule H6); the vtables of
    /// <paramref name="interfaces"/> are validated too (interop/interfaces.md section 3). <paramref name="gate"/>
    /// checks the file before dlopen (the load policy and <see cref="LibraryFileProbe"/>); <paramref name="directory"/>
    /// is where a scan found it (null: the file's own directory). <paramref name="loadFrom"/>: a shadow copy of the
    /// file to map instead of it (hot reload); the checks and every message name <paramref name="path"/>, and the
    /// copy is deleted with the library's handle (or here, when nothing was mapped).</summary>
    public static OpenedLibrary Open(string path, AbiVersion host, Func<string, ulong?, bool> canUnload,
        InterfaceRegistry? interfaces, LoadGate gate, string? directory = null, string? loadFrom = null)
    {
        var file = Path.GetFullPath(path);
        var mapped = loadFrom ?? file;
        try
        {
            gate.Check(file, directory);
            if (loadFrom is not null) LibraryFileProbe.Check(loadFrom, LibraryFileProbe.Stat(loadFrom));
        }
        catch when (loadFrom is not null)
        {
            Reload.ShadowCopies.Delete(loadFrom);
            throw;
        }

        if (!EagerBinding.TryOpen(mapped, out var h, out var loaderError))
        {
            if (loadFrom is not null) Reload.ShadowCopies.Delete(loadFrom);
            throw new PluginLoadException(PluginLoadError.LoadFailed, file, null, loaderError ?? LoaderMessage(mapped));
        }

        var handle = new LibraryHandle(h, file, canUnload(string.Empty, null)) { ShadowCopy = loadFrom };
        try
        {
            if (!NativeLibrary.TryGetExport(h, "np_entry", out var entryAddress) || entryAddress == 0)
                throw new PluginLoadException(PluginLoadError.MissingEntry, file, null,
                    "the library exports no np_entry: not a NativePlugins library");
            if (OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD())
            {
                var (kind, what) = EntrySymbol.Inspect(entryAddress, mapped);
                if (kind == ExportKind.NotAFunction)
                    throw new PluginLoadException(PluginLoadError.EntryNotAFunction, file, null,
                        $"np_entry is {what}, not a function: calling it would crash (rule P1)");
            }
            var entry = (delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, int>)entryAddress;

            // Rule H3, pointers: what np_entry hands over is checked against the memory map before it is read;
            // np_entry's address identifies the library's own segments (LoadedMemory).
            var memory = LoadedMemory.ForLibrary(entryAddress);
            var negotiation = Negotiate(file, entry, host, memory, out var library);
            var agreed = new AbiVersion(negotiation.abi_major, negotiation.abi_minor);
            var (descriptor, sdk, plugins) =
                DescriptorValidator.Validate(file, library, agreed, interfaces, handle.Blocks, memory);
            var flags = DescriptorValidator.Flags(library, agreed);
            handle.CanUnload = canUnload(sdk, flags);
            return new OpenedLibrary(file, handle, descriptor, negotiation, sdk, flags, plugins);
        }
        catch
        {
            handle.Dispose(); // nothing was initialized: only unloads (when allowed)
            throw;
        }
    }

    private static np_negotiation_t Negotiate(string file,
        delegate* unmanaged[Cdecl]<np_negotiation_t*, np_library_t**, int> entry, AbiVersion host, LoadedMemory memory,
        out np_library_t* library)
    {
        // ABI 1.2: the library's reason when np_entry fails (the hosted shim's "no .NET runtime"). A 1.0/1.1 library
        // never writes it.
        byte* buffer = stackalloc byte[PluginErrorText.BufferBytes];
        np_error_t error;
        PluginErrorText.Init(&error, buffer);
        np_negotiation_t n; // field by field, never a 256-bit zeroing right before native code (rule H8, NpScalarInit)
        // Sentinels: a library that does not write its version is told apart from one that reports 0.0 (rule P1).
        NpScalarInit.Init(&n, abi_major: host.Major, abi_minor: host.Minor,
            library_abi_major: NegotiationAnswer.Unset, library_abi_minor: NegotiationAnswer.Unset, error: &error);
        np_library_t* lib = null;
        int status;
        lock (HostSerialization.Lock) status = entry(&n, &lib);
        n.error = null; // the buffer dies with this call; the struct is kept
        // Before anything else is read: a library that wrote past the buffer has written into this host's stack.
        if (PluginErrorText.Violation(status, error, buffer, out _) is { } broken)
            throw new PluginLoadException(PluginLoadError.ProtocolViolation, file, null,
                $"np_entry {PluginErrorText.Describe(broken, status, error, buffer)}");

        if (NegotiationAnswer.Check(host, status, n.abi_major, n.abi_minor, n.library_abi_major, n.library_abi_minor)
            is { } refused)
            throw new PluginLoadException(refused.Error, file, null,
                refused.Error == PluginLoadError.EntryFailed && status != NpAbi.NP_OK && error.len > 0
                    ? $"{refused.Message}: {PluginErrorText.Read(error, buffer)}"
                    : refused.Message);
        if (lib == null)
            throw new PluginLoadException(PluginLoadError.NullLibrary, file, null,
                "np_entry returned NP_OK but no library descriptor");

        var expected = AbiLayoutFacts.Fingerprint(n.abi_minor);
        if (n.layout_fingerprint != expected)
        {
            // The report is read to name the differing field: only its pointers are in the way of that message.
            PointerCheck.LayoutReport(memory, n.layout_report, "np_negotiation_t.layout_report", file, null);
            throw new PluginLoadException(PluginLoadError.LayoutMismatch, file, null,
                $"layout fingerprint for ABI {host.Major}.{n.abi_minor} is 0x{n.layout_fingerprint:x16}, the host's is " +
                $"0x{expected:x16}: {AbiLayoutFacts.DescribeMismatch(n.layout_report, n.abi_minor)}");
        }

        library = lib;
        return n;
    }

    /// <summary>The dynamic loader's own explanation where <see cref="EagerBinding"/> had none (NativeLibrary's
    /// exception text), for the failure path only.</summary>
    private static string LoaderMessage(string file)
    {
        try
        {
            var h = NativeLibrary.Load(file);
            NativeLibrary.Free(h);
            return "the dynamic loader refused the file on the first attempt";
        }
        catch (Exception e)
        {
            return e.Message.ReplaceLineEndings(" ").Trim();
        }
    }
}
