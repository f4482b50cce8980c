using System.Globalization;
using System.Text.RegularExpressions;
using NativePlugins.Interop;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>One fingerprint per minor, equal everywhere: recomputed by C# from the manifest data, the NpAbi
/// constants, the committed layout.g.json and the #defines of the generated C header.</summary>
public sealed partial class FingerprintTests
{
    [GeneratedRegex(@"^#define (NP_LAYOUT_FINGERPRINT_\d+_\d+) 0x([0-9a-f]{16})ull$", RegexOptions.Multiline)]
    private static partial Regex FingerprintDefine();

    private static Dictionary<string, ulong> CHeaderFingerprints() =>
        FingerprintDefine().Matches(File.ReadAllText(RepoFiles.LayoutHeaderPath))
            .ToDictionary(m => m.Groups[1].Value, m => ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    [Fact]
    public void Every_minor_has_the_same_fingerprint_in_csharp_the_c_header_and_the_manifest()
    {
        var header = CHeaderFingerprints();
        var manifest = ManifestFile.Load(RepoFiles.ManifestPath);
        ulong[] constants = [NpAbi.NP_LAYOUT_FINGERPRINT_1_0, NpAbi.NP_LAYOUT_FINGERPRINT_1_1, NpAbi.NP_LAYOUT_FINGERPRINT_1_2,
            NpAbi.NP_LAYOUT_FINGERPRINT_1_3];
        Assert.Equal(NpAbiLayout.AbiMinor + 1, (uint)constants.Length);
        Assert.Equal(constants.Length, header.Count);
        for (uint minor = 0; minor <= NpAbiLayout.AbiMinor; minor++)
        {
            ulong computed = NpAbiLayout.Fingerprint(minor);
            Assert.Equal(constants[minor], computed);
            Assert.Equal(header[$"NP_LAYOUT_FINGERPRINT_1_{minor}"], computed);
            Assert.Equal(manifest.Fingerprints[$"1.{minor}"], computed);
        }
        Assert.Equal(NpAbi.NP_LAYOUT_FINGERPRINT, constants[NpAbi.NP_ABI_MINOR]);
    }

    [Fact]
    public void Fingerprints_of_different_minors_differ_and_follow_the_canonical_text()
    {
        Assert.NotEqual(NpAbiLayout.Fingerprint(0), NpAbiLayout.Fingerprint(1));
        string text0 = NpAbiLayout.CanonicalText(NpAbiLayout.Structs, 0);
        string text1 = NpAbiLayout.CanonicalText(NpAbiLayout.Structs, 1);
        Assert.StartsWith("struct np_str_t\nptr:const uint8_t *@0+8\nlen:uint64_t@8+8\n", text1);
        Assert.Contains("stats:int32_t (*)(np_instance_t *, np_transform_stats_t *)@40+8\n", text1);
        Assert.DoesNotContain("stats:", text0);
        Assert.Contains("plugins:const np_plugin_descriptor_t *const *@24+8\n", text0);
    }

    [Fact]
    public void Fingerprint_of_an_unknown_minor_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NpAbiLayout.Fingerprint(NpAbiLayout.AbiMinor + 1));
    }

    [Fact]
    public void Fnv1a_matches_the_published_test_vectors()
    {
        // FNV-1a 64 of "" and "a" (Fowler/Noll/Vo reference vectors): guards the hash itself.
        Assert.Equal(0xcbf29ce484222325UL, NpAbiLayout.Fingerprint([], 0));
        var one = new NpStructLayout("a", 1, 1, 0, []);
        // canonical text "struct a\n"
        ulong expected = 0xcbf29ce484222325UL;
        foreach (byte b in "struct a\n"u8) { expected ^= b; expected *= 0x100000001b3UL; }
        Assert.Equal(expected, NpAbiLayout.Fingerprint([one], 0));
        ulong a = 0xcbf29ce484222325UL;
        a ^= (byte)'a';
        a *= 0x100000001b3UL;
        Assert.Equal(0xaf63dc4c8601ec8cUL, a);
    }
}
