using NativePlugins.Interop;
using NativePlugins.PluginSdk.Tests.Infrastructure;
using NativePlugins.TestSupport;

namespace NativePlugins.PluginSdk.Tests.Native;

/// <summary>np_entry of the C# SDK's libraries, in both modes, case by case from interop/vectors/negotiation.tsv, which
/// the C and Rust SDKs run too (guarantee S10).</summary>
public sealed unsafe class NegotiationVectorTests
{
    public static IEnumerable<object[]> Libraries => BuildLayout.SampleLibraries();

    private static readonly IReadOnlyDictionary<string, long> s_symbols = new Dictionary<string, long>
    {
        ["MIN"] = NpAbi.NP_MIN_SIZEOF_np_negotiation_t,
        ["CUR"] = sizeof(np_negotiation_t),
        ["LIB"] = NpAbi.NP_ABI_MINOR,
        ["VEREND"] = VersionEnd(),
    };

    private static long VersionEnd()
    {
        np_negotiation_t probe = default;
        return (byte*)&probe.library_abi_minor - (byte*)&probe + sizeof(uint);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void S10_negotiation_as_every_sdk_answers_it(string mode, string file)
    {
        var entry = RawLibrary.Entry(BuildLayout.Plugin(mode, file));
        const uint sentinel = 0xEEEE_EEEE;
        var wrong = new List<string>();
        // A buffer larger than any struct_size of the file, as a newer host's struct would be.
        byte* buffer = stackalloc byte[sizeof(np_negotiation_t) + 256];
        foreach (NegotiationCase c in VectorCases.Negotiation())
        {
            new Span<byte>(buffer, sizeof(np_negotiation_t) + 256).Clear();
            var n = (np_negotiation_t*)buffer;
            uint inMinor = (uint)VectorNumbers.Resolve(c.AbiMinor, s_symbols);
            n->struct_size = (uint)VectorNumbers.Resolve(c.StructSize, s_symbols);
            n->abi_major = (uint)VectorNumbers.Resolve(c.AbiMajor, s_symbols);
            n->abi_minor = inMinor;
            n->library_abi_major = n->library_abi_minor = sentinel;
            var sentinelLibrary = (np_library_t*)0x1000;
            np_library_t* library = sentinelLibrary;

            int status = entry(n, &library);

            void Expect(bool ok, string what)
            {
                if (!ok) wrong.Add($"{c}: {what}");
            }
            Expect(status == VectorNumbers.Status(c.Status), $"status {status}");
            if (c.Agreed == "-")
            {
                Expect(n->abi_minor == inMinor, "abi_minor changed on a refusal");
                Expect(library == sentinelLibrary, "out_library written on a refusal");
            }
            else
            {
                uint agreed = (uint)VectorNumbers.Resolve(c.Agreed, s_symbols);
                Expect(n->abi_minor == agreed, $"agreed {n->abi_minor}");
                Expect(n->layout_fingerprint == NpAbiLayout.Fingerprint(agreed), "fingerprint");
                Expect(n->layout_report != null, "no layout report");
                Expect(library != sentinelLibrary && library != null, "no library");
            }
            Expect(c.VersionWritten
                ? n->library_abi_major == NpAbi.NP_ABI_MAJOR && n->library_abi_minor == NpAbi.NP_ABI_MINOR
                : n->library_abi_major == sentinel && n->library_abi_minor == sentinel,
                $"library version {n->library_abi_major:x}.{n->library_abi_minor:x}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
