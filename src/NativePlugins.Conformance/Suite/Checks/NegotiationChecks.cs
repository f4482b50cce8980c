using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P1: np_entry agrees on min(host minor, own minor) for any minor of its major, refuses another major
/// with NP_ERR_VERSION and nothing else written, always writes its own version, and reports the fingerprint of the
/// agreed minor. Each check looks at one of these so that a broken library fails exactly the one it breaks.</summary>
internal static unsafe class NegotiationChecks
{
    private const string Group = "library";
    private const uint Major = NpAbi.NP_ABI_MAJOR;
    private const uint Minor = NpAbi.NP_ABI_MINOR;

    public static IEnumerable<Check> All =>
    [
        new(new("negotiation.current", "P1",
            $"A host of this checker's ABI ({Major}.{Minor}) is accepted: NP_OK, agreed minor min(host, library), *out_library set.",
            CheckScope.Library, Group), Current),
        new(new("negotiation.older-minor", "P1",
            $"A host of ABI {Major}.0 (older) is accepted at minor 0.",
            CheckScope.Library, Group), OlderMinor),
        new(new("negotiation.newer-minor", "P1",
            $"Hosts of ABI {Major}.{Minor + 7} and {Major}.{uint.MaxValue} (newer than anything) are accepted at the library's own minor.",
            CheckScope.Library, Group), NewerMinor),
        new(new("negotiation.other-major", "P1",
            $"Hosts of ABI {Major + 1}.0, {Major + 1}.{Minor} and 0.{Minor} are refused with NP_ERR_VERSION, with nothing but the library version written.",
            CheckScope.Library, Group), OtherMajor),
        new(new("negotiation.library-version", "P1",
            "library_abi_major/library_abi_minor are written by every np_entry call, accepting or refusing, and agree with each other.",
            CheckScope.Library, Group), LibraryVersion),
        new(new("negotiation.fingerprint", "P1",
            "The layout fingerprint written for each agreed minor is this checker's fingerprint of that minor.",
            CheckScope.Library, Group), Fingerprint),
        new(new("negotiation.error-buffer", "P5",
            "np_negotiation_t.error (ABI 1.2): a successful np_entry leaves the host's guard-filled buffer as it was; a " +
            "refusal of another major writes nothing or a non-empty UTF-8 reason within capacity; a host struct of the " +
            "1.1 size (it ends before the field) gets nothing written into a buffer placed beyond it.",
            CheckScope.Library, Group), ErrorBufferUse),
    ];

    /// <summary>The accepted-negotiation requirements shared by current/older/newer.</summary>
    private static void RequireAccepted(CheckContext c, NegotiationOutcome o, uint expectedMinor, bool exact,
        ErrorBuffer? reason = null)
    {
        c.Phase($"np_entry as a host of ABI {o.Host}");
        if (!o.Accepted)
        {
            c.Problem($"host {o.Host}: np_entry returned {Status.Name(o.Status)}, expected NP_OK" +
                      (o.LibraryMajor is { } lm ? $" (library speaks {lm}.{o.LibraryMinor})" : "") +
                      (reason?.Message is { Length: > 0 } ? $": {reason.Describe()}" : ""));
            return;
        }
        if (o.Library is not { } lib || lib == IntPtr.Zero) c.Problem($"host {o.Host}: NP_OK but *out_library was not set");
        if (o.AbiMajorAfter != o.HostMajor) c.Problem($"host {o.Host}: abi_major was changed to {o.AbiMajorAfter} (it is an input)");
        if (exact && o.AbiMinorAfter != expectedMinor)
            c.Problem($"host {o.Host}: agreed minor is {o.AbiMinorAfter}, expected min(host {o.HostMinor}, library {expectedMinor}) = {expectedMinor}");
        if (!exact && o.AbiMinorAfter > expectedMinor)
            c.Problem($"host {o.Host}: agreed minor is {o.AbiMinorAfter}, more than the library can know");
        if (o.StructSizeAfter != (uint)System.Runtime.CompilerServices.Unsafe.SizeOf<np_negotiation_t>())
            c.Problem($"host {o.Host}: struct_size was changed to {o.StructSizeAfter} (it is an input)");
        if (o.ReservedAfter != 0) c.Problem($"host {o.Host}: reserved was set to {o.ReservedAfter}");
    }

    private static void Current(CheckContext c)
    {
        using var reason = new ErrorBuffer(); // ABI 1.2: why np_entry refused, if it did
        var o = c.Library.Negotiate(Major, Minor, reason.Ptr);
        var libraryMinor = o.LibraryMinor;
        var expected = libraryMinor is { } m ? Math.Min(m, Minor) : Minor;
        RequireAccepted(c, o, expected, exact: libraryMinor is not null, reason);
        c.Passed($"host {o.Host}: NP_OK, agreed minor {o.AbiMinorAfter}");
    }

    private static void OlderMinor(CheckContext c)
    {
        var checkerMinor = Minor; // a variable: the ABI may be at x.0 in another major
        if (checkerMinor == 0) c.Skip("this checker speaks ABI x.0: there is no older minor");
        var o = c.Library.Negotiate(Major, 0);
        RequireAccepted(c, o, 0, exact: true);
        c.Passed($"host {o.Host}: NP_OK, agreed minor 0");
    }

    private static void NewerMinor(CheckContext c)
    {
        foreach (var hostMinor in new[] { Minor + 7, uint.MaxValue })
        {
            var o = c.Library.Negotiate(Major, hostMinor);
            // Without the library's own minor, all we know is that it cannot agree on a minor it has never seen.
            if (o.LibraryMinor is { } own) RequireAccepted(c, o, Math.Min(own, hostMinor), exact: true);
            else RequireAccepted(c, o, Minor, exact: false);
        }
        c.Passed($"hosts {Major}.{Minor + 7} and {Major}.{uint.MaxValue}: NP_OK at the library's own minor");
    }

    private static IEnumerable<(uint Major, uint Minor)> OtherMajors =>
        [(Major + 1, 0), (Major + 1, Minor), (Major - 1, Minor)];

    private static void OtherMajor(CheckContext c)
    {
        foreach (var (major, minor) in OtherMajors)
        {
            c.Phase($"np_entry as a host of ABI {major}.{minor}");
            var o = c.Library.Negotiate(major, minor);
            if (o.Status != NpAbi.NP_ERR_VERSION)
            {
                c.Problem($"host {o.Host}: np_entry returned {Status.Name(o.Status)}, expected NP_ERR_VERSION");
                continue;
            }
            var written = new List<string>();
            if (o.Library is not null) written.Add("*out_library");
            if (o.AbiMinorAfter != minor) written.Add($"abi_minor ({o.AbiMinorAfter})");
            if (o.AbiMajorAfter != major) written.Add($"abi_major ({o.AbiMajorAfter})");
            if (o.Fingerprint is not null) written.Add("layout_fingerprint");
            if (o.LayoutReport is not null) written.Add("layout_report");
            if (written.Count > 0)
                c.Problem($"host {o.Host}: refused correctly but also wrote {string.Join(", ", written)} (only library_abi_major/minor may be written)");
        }
        c.Passed("other majors refused with NP_ERR_VERSION, nothing else written");
    }

    private static void LibraryVersion(CheckContext c)
    {
        var hosts = new List<(uint, uint)> { (Major, Minor), (Major, 0), (Major, Minor + 7) };
        hosts.AddRange(OtherMajors);
        var seen = new HashSet<(uint, uint)>();
        foreach (var (major, minor) in hosts)
        {
            var o = c.Library.Negotiate(major, minor);
            var verdict = o.Accepted ? "accepting" : $"refusing with {Status.Name(o.Status)}";
            if (o.LibraryMajor is null || o.LibraryMinor is null)
            {
                var missing = o.LibraryMajor is null && o.LibraryMinor is null ? "library_abi_major and library_abi_minor"
                            : o.LibraryMajor is null ? "library_abi_major" : "library_abi_minor";
                c.Problem($"host {o.Host}: {missing} not written when {verdict}");
                continue;
            }
            seen.Add((o.LibraryMajor.Value, o.LibraryMinor.Value));
            if (o.Accepted && o.AbiMinorAfter > o.LibraryMinor)
                c.Problem($"host {o.Host}: agreed minor {o.AbiMinorAfter} is newer than the library's own minor {o.LibraryMinor}");
        }
        if (seen.Count > 1)
            c.Problem($"the library reports different versions of itself: {string.Join(", ", seen.Select(v => $"{v.Item1}.{v.Item2}"))}");
        if (seen.Count == 1) c.Passed($"library ABI {seen.First().Item1}.{seen.First().Item2} written by every call");
    }

    private static void ErrorBufferUse(CheckContext c)
    {
        using var buffer = new ErrorBuffer();
        c.Phase($"np_entry as a host of ABI {Major}.{Minor} with an error buffer");
        var current = c.Library.Negotiate(Major, Minor, buffer.Ptr);
        if (current.Accepted && buffer.ChangesAfterSuccess() is { Count: > 0 } changes)
            c.Problem($"host {current.Host}: NP_OK but the error buffer was changed: {string.Join(", ", changes)}");

        string? reason = null;
        foreach (var (major, minor) in OtherMajors)
        {
            buffer.Reset();
            c.Phase($"np_entry as a host of ABI {major}.{minor} with an error buffer");
            var o = c.Library.Negotiate(major, minor, buffer.Ptr);
            if (o.Accepted) continue; // negotiation.other-major reports it
            foreach (var p in buffer.ProblemsAfterFailure(requireMessage: false))
                c.Problem($"host {o.Host}: {Status.Name(o.Status)}: {p}");
            if (buffer.Message is { Length: > 0 }) reason ??= buffer.Describe();
        }

        // A 1.1 host's struct ends where error begins; the buffer behind it is the checker's canary.
        const uint olderSize = NpAbi.NP_SIZEOF_np_negotiation_t_1_1;
        buffer.Reset();
        c.Phase($"np_entry with struct_size {olderSize} (ABI 1.1) and a buffer beyond it");
        var older = c.Library.Negotiate(Major + 1, Minor, buffer.Ptr, olderSize);
        if (buffer.ChangesAfterSuccess() is { Count: > 0 } beyond)
            c.Problem($"host {older.Host} with struct_size {olderSize}: {Status.Name(older.Status)}, and the error field " +
                      $"beyond struct_size was used: {string.Join(", ", beyond)} (rule H2 applies to the library as a reader)");

        c.Passed(reason is null
            ? "the buffer is left alone (this library gives no reason for a refusal)"
            : $"untouched on success, nothing beyond a 1.1 struct; a refusal says {reason}");
    }

    private static void Fingerprint(CheckContext c)
    {
        var current = c.Library.Negotiate(Major, Minor);
        if (!current.Accepted) c.Skip($"np_entry refuses ABI {Major}.{Minor} (see negotiation.current)");
        var top = Math.Min(current.LibraryMinor ?? current.AbiMinorAfter, Minor);
        var verified = new List<string>();
        for (uint m = 0; m <= top; m++)
        {
            var o = c.Library.Negotiate(Major, m);
            if (!o.Accepted) continue; // negotiation.older-minor reports it
            var agreed = o.AbiMinorAfter;
            if (KnownLayout.Fingerprint(agreed) is not { } expected) continue;
            if (o.Fingerprint is not { } got)
                c.Problem($"host {o.Host}: layout_fingerprint not written (expected 0x{expected:X16} for ABI {Major}.{agreed})");
            else if (got != expected)
                c.Problem($"host {o.Host}: agreed minor {agreed} but layout_fingerprint is 0x{got:X16}; ABI {Major}.{agreed} has 0x{expected:X16}" +
                          (KnownLayout.Fingerprint(Minor) == got && agreed != Minor ? $" (the fingerprint of {Major}.{Minor}: it must be that of the AGREED minor)" : " (built against a drifted header?)"));
            else verified.Add($"{Major}.{agreed}");
        }
        c.Passed($"fingerprints match for ABI {string.Join(", ", verified)}");
    }
}
