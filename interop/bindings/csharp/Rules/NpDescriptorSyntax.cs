// The syntax rules of interop/README.md rule P2, implemented once for every C# consumer: the .NET host and the
// conformance runner (through NpDescriptorRules) and the C# SDK's source generator, which compiles this file into its
// netstandard2.0 assembly (a linked file: see NativePlugins.PluginSdk.Generators.csproj). So it uses nothing newer
// than C# 7.3-era APIs and no regex: the rules are ASCII-only, and plain loops say exactly what they accept (a .NET
// regex's \d and $ would also match non-ASCII digits and a trailing newline). interop/vectors pins them against the C
// host, the Rust SDK and every other implementation.

namespace NativePlugins.Interop;

/// <summary>Plugin ids, interface ids and semantic versions, as rule P2 defines them.</summary>
public static class NpDescriptorSyntax
{
    /// <summary>Plugin ids and interface ids are at most this many bytes.</summary>
    public const int MaxIdBytes = 128;

    /// <summary>Reverse-DNS plugin id: <c>^[a-z0-9]+(\.[a-z0-9_-]+)+$</c>, at most 128 bytes.</summary>
    public static bool IsPluginId(string id)
    {
        if (id == null || id.Length == 0 || id.Length > MaxIdBytes) // ASCII only: chars == bytes
            return false;
        int i = Label(id, 0, first: true);
        if (i == 0)
            return false;
        int labels = 0;
        while (i < id.Length)
        {
            if (id[i] != '.')
                return false;
            int end = Label(id, i + 1, first: false);
            if (end == i + 1)
                return false;
            i = end;
            labels++;
        }
        return labels >= 1;
    }

    /// <summary>Interface id <c>name/revision</c>: <c>^[a-z0-9]+(\.[a-z0-9_-]+)*/[1-9][0-9]*$</c>, at most 128 bytes.</summary>
    public static bool IsInterfaceId(string id)
    {
        if (id == null || id.Length == 0 || id.Length > MaxIdBytes)
            return false;
        int i = Label(id, 0, first: true);
        if (i == 0)
            return false;
        while (i < id.Length && id[i] == '.')
        {
            int end = Label(id, i + 1, first: false);
            if (end == i + 1)
                return false;
            i = end;
        }
        if (i >= id.Length || id[i] != '/')
            return false;
        i++;
        if (i >= id.Length || id[i] < '1' || id[i] > '9')
            return false;
        for (i++; i < id.Length; i++)
            if (!IsDigit(id[i]))
                return false;
        return true;
    }

    /// <summary>
    /// Semantic Versioning 2.0.0: <c>MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]</c>; numeric identifiers (the three
    /// numbers and numeric pre-release identifiers) without leading zeros; build identifiers may have them.
    /// </summary>
    public static bool IsSemanticVersion(string version)
    {
        if (version == null)
            return false;
        int i = 0;
        for (int part = 0; part < 3; part++)
        {
            if (part > 0)
            {
                if (i >= version.Length || version[i] != '.')
                    return false;
                i++;
            }
            int start = i;
            while (i < version.Length && IsDigit(version[i]))
                i++;
            if (!IsNumericIdentifier(version, start, i))
                return false;
        }
        if (i < version.Length && version[i] == '-')
        {
            i = Identifiers(version, i + 1, preRelease: true);
            if (i < 0)
                return false;
        }
        if (i < version.Length && version[i] == '+')
        {
            i = Identifiers(version, i + 1, preRelease: false);
            if (i < 0)
                return false;
        }
        return i == version.Length;
    }

    // One label of an id starting at start: [a-z0-9]+ for the first, [a-z0-9_-]+ after a dot. Returns its end.
    private static int Label(string s, int start, bool first)
    {
        int i = start;
        while (i < s.Length && (IsLowerAlnum(s[i]) || (!first && (s[i] == '_' || s[i] == '-'))))
            i++;
        return i;
    }

    // Dot-separated non-empty identifiers of [0-9A-Za-z-] from start, up to '+' (pre-release) or the end.
    // Returns the end, or -1 when malformed.
    private static int Identifiers(string s, int start, bool preRelease)
    {
        int i = start;
        while (true)
        {
            int begin = i;
            while (i < s.Length && (IsAsciiAlnum(s[i]) || s[i] == '-'))
                i++;
            if (i == begin)
                return -1;
            if (preRelease && IsAllDigits(s, begin, i) && !IsNumericIdentifier(s, begin, i))
                return -1;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                continue;
            }
            return i;
        }
    }

    private static bool IsNumericIdentifier(string s, int start, int end) =>
        end > start && IsAllDigits(s, start, end) && !(s[start] == '0' && end - start > 1);

    private static bool IsAllDigits(string s, int start, int end)
    {
        for (int i = start; i < end; i++)
            if (!IsDigit(s[i]))
                return false;
        return true;
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private static bool IsLowerAlnum(char c) => (c >= 'a' && c <= 'z') || IsDigit(c);

    private static bool IsAsciiAlnum(char c) => IsLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}
