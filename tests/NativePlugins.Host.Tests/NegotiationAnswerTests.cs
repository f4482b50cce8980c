using NativePlugins.Hosting;
using NativePlugins.Hosting.Loading;
using NativePlugins.TestSupport;

namespace NativePlugins.Host.Tests;

/// <summary>What the .NET host accepts back from np_entry (rules P1, H3), case by case from
/// interop/vectors/host-negotiation.tsv, which the C host runs too.</summary>
public class NegotiationAnswerTests
{
    public static TheoryData<int> Cases => new(Enumerable.Range(0, VectorCases.HostNegotiation().Count));

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_host_decides_as_the_vector_says(int index)
    {
        HostNegotiationCase c = VectorCases.HostNegotiation()[index];
        var refused = NegotiationAnswer.Check(new AbiVersion(1, c.HostMinor), c.Status, 1, c.Agreed,
            c.LibraryMajor ?? NegotiationAnswer.Unset, c.LibraryMinor ?? NegotiationAnswer.Unset);
        if (c.AcceptedMinor is not null)
        {
            Assert.True(refused is null, $"{c}: refused with {refused?.Error}: {refused?.Message}");
            Assert.Equal(c.AcceptedMinor, c.Agreed);
            return;
        }
        Assert.True(refused is not null, $"{c}: accepted");
        var expected = c.Refusal == "version" ? PluginLoadError.VersionMismatch : PluginLoadError.EntryFailed;
        Assert.True(refused.Value.Error == expected, $"{c}: {refused.Value.Error} ({refused.Value.Message}), expected {expected}");
        Assert.False(string.IsNullOrWhiteSpace(refused.Value.Message));
    }
}
