using Xunit.Sdk;

namespace NativePlugins.Interop.Tests;

/// <summary>Collects every mismatch of one struct and fails once, naming each (struct, what, expected, actual).</summary>
internal sealed class LayoutAssert(string structName)
{
    private readonly List<string> _mismatches = [];

    public void Equal(string what, long expected, long actual)
    {
        if (expected != actual) _mismatches.Add($"{structName} {what}: manifest {expected}, this compiler {actual}");
    }

    public void Done()
    {
        if (_mismatches.Count > 0) throw new XunitException(string.Join("\n", _mismatches));
    }
}
