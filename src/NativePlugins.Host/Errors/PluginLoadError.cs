namespace NativePlugins.Hosting;

/// <summary>Why a library or a plugin in it was refused (rules H3 and P1/P2). Each value names one check.</summary>
public enum PluginLoadError
{
    /// <summary>The file does not exist.</summary>
    FileNotFound,

    /// <summary>A directory given for discovery does not exist.</summary>
    DirectoryNotFound,

    /// <summary>The file is empty (0 bytes).</summary>
    EmptyFile,

    /// <summary>The file is not a shared library of this platform (wrong magic bytes).</summary>
    NotALibrary,

    /// <summary>The file is a shared library for another architecture or word size.</summary>
    WrongArchitecture,

    /// <summary>The dynamic loader refused the file (missing dependency, bad relocation, ...).</summary>
    LoadFailed,

    /// <summary>The library exports no <c>np_entry</c>: it is not a NativePlugins library.</summary>
    MissingEntry,

    /// <summary><c>np_entry</c> is exported as data (or another non-function symbol), which must never be called.</summary>
    EntryNotAFunction,

    /// <summary><c>np_entry</c> returned a failing status other than <c>NP_ERR_VERSION</c>.</summary>
    EntryFailed,

    /// <summary><c>np_entry</c> returned <c>NP_OK</c> but no library descriptor.</summary>
    NullLibrary,

    /// <summary>The ABI majors differ, or the library broke the minor negotiation (rule P1).</summary>
    VersionMismatch,

    /// <summary>The layout fingerprint of the agreed minor differs from the host's.</summary>
    LayoutMismatch,

    /// <summary>A struct's <c>struct_size</c> is smaller than the struct at ABI x.0 (rule P2).</summary>
    StructTooSmall,

    /// <summary>A required pointer (plugin list, descriptor, interface list, vtable, string data) is NULL.</summary>
    NullPointer,

    /// <summary>A required function pointer is NULL (rule P2).</summary>
    NullFunction,

    /// <summary>A string is not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>A plugin id is not reverse-DNS or is longer than 128 bytes.</summary>
    InvalidId,

    /// <summary>An interface id is not <c>name/revision</c>.</summary>
    InvalidInterfaceId,

    /// <summary>A plugin version is not a semantic version.</summary>
    InvalidVersion,

    /// <summary>The threading value is not a known <c>NP_THREADING_*</c>.</summary>
    InvalidThreading,

    /// <summary>A plugin's name is empty.</summary>
    MissingName,

    /// <summary>A plugin implements no interface.</summary>
    NoInterfaces,

    /// <summary>An interface id appears twice in one plugin.</summary>
    DuplicateInterface,

    /// <summary>A plugin id appears twice in one library, or is already loaded from another library.</summary>
    DuplicateId,

    /// <summary>A value is out of range (a reserved field not zero, an absurd count or length).</summary>
    InvalidValue,

    /// <summary>The library's <c>init</c> failed.</summary>
    InitFailed,

    // Refused before dlopen, by the file probe and the load policy (PluginHostOptions.LoadPolicy).

    /// <summary>An ELF file whose header, program header table or a mapped range (<c>PT_LOAD</c>,
    /// <c>PT_DYNAMIC</c>) lies outside the file: truncated or damaged. dlopen would map it and crash on first touch.</summary>
    MalformedLibrary,

    /// <summary>Not a regular file (a FIFO, socket, device or directory): never opened for reading, since opening
    /// a FIFO blocks.</summary>
    NotARegularFile,

    /// <summary>The file or its directory is writable by other users (<see cref="LoadPolicy"/>).</summary>
    InsecurePermissions,

    /// <summary>The file is owned by a user other than the process's own or root, where the policy asks
    /// (<see cref="LoadPolicy.Owner"/>).</summary>
    UntrustedOwner,

    /// <summary>The path is a symbolic link whose target lies outside the directory it was found in
    /// (<see cref="LoadPolicy.AllowSymlinksOutsideDirectory"/>).</summary>
    SymlinkOutsideDirectory,

    /// <summary>A trust file is configured (<see cref="LoadPolicy.TrustFile"/>) and the library's SHA-256 is not
    /// listed for it: unknown or changed.</summary>
    NotTrusted,

    /// <summary>A pointer the library handed over (a descriptor, string, array, vtable, layout report or function) is
    /// not in readable memory for the bytes the host must read, or a function pointer not in executable memory
    /// (rule H3): dereferencing or calling it would crash the host.</summary>
    InvalidPointer,

    /// <summary>The library broke the protocol of a load-time call (<c>np_entry</c>, <c>init</c>): it wrote past the end
    /// of the host's error buffer, or reported a message longer than the buffer (rule P5).</summary>
    ProtocolViolation,

    // Found by the out-of-process scan (PluginHost.Discover, nplug list): the library ended the scanner.

    /// <summary>The library crashed the out-of-process scanner while being loaded (a signal: SIGSEGV in a
    /// constructor, SIGABRT in <c>init</c>, ...). In-process it would have taken the host down.</summary>
    ScanCrashed,

    /// <summary>The library ended the out-of-process scanner by calling <c>exit()</c> while being loaded (a
    /// constructor, <c>np_entry</c> or <c>init</c>); in-process the host would have ended silently.</summary>
    ScanExited,

    /// <summary>Loading the library in the out-of-process scanner did not finish within
    /// <see cref="DiscoveryOptions.ScanTimeout"/> (a constructor, <c>np_entry</c> or <c>init</c> that never returns);
    /// the scanner was killed.</summary>
    ScanTimedOut,

    /// <summary>The out-of-process scanner could not be run or broke its report format (not found, not executable,
    /// unreadable output).</summary>
    ScanFailed,

    /// <summary>What the library declares when loaded differs from what discovery recorded (the cache, the scan or a
    /// sidecar manifest): a manifest that lies, or a library that answers differently from one load to the next.</summary>
    DiscoveryMismatch,

    /// <summary>Isolated load (<see cref="PluginHostOptions.Isolation"/>): the worker process died while loading the
    /// library (a crash or exit in <c>np_entry</c> or <c>init</c>); the inner exception is the
    /// <see cref="PluginCrashedException"/> naming the signal or exit code.</summary>
    WorkerCrashed,

    /// <summary>Isolated load: loading the library in the worker missed <see cref="IsolationOptions.LoadTimeout"/>
    /// (a hang in <c>np_entry</c> or <c>init</c>); the worker was killed.</summary>
    WorkerTimedOut,

    /// <summary>Isolated load: the worker executable could not be found or started (see
    /// <see cref="IsolationOptions.WorkerPath"/>).</summary>
    WorkerUnavailable,

    /// <summary>Isolated load: a limit of <see cref="IsolationOptions"/> cannot be applied on this system (e.g.
    /// <see cref="IsolationOptions.ResidentMemoryLimitBytes"/> without a cgroup memory controller the host may use);
    /// the worker was not started, since a limit asked for is never silently dropped. The message names the cgroup
    /// and the reason.</summary>
    IsolationLimitUnavailable,

    /// <summary>Hot reload of a running instance whose old and new versions both offer <c>np.state/1</c> (ABI 1.3):
    /// the old instance's <c>save</c> or the successor's <c>restore</c> failed (a new state format the new version
    /// does not read, say). The instance stays on its old version (<see cref="PluginHost.ReloadFailed"/>); the inner
    /// exception is the plugin's <see cref="PluginCallException"/>.</summary>
    StateHandOverFailed,
}
