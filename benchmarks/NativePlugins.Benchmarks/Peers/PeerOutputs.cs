namespace NativePlugins.Benchmarks.Peers;

/// <summary>The correctness check of the peers group: a peer's output against NativePlugins', record by record.</summary>
public static class PeerOutputs
{
    /// <summary>Throws naming the peer and the first difference when <paramref name="actual"/> is not
    /// <paramref name="expected"/>.</summary>
    public static void Check(string peer, IReadOnlyList<byte[]> expected, IReadOnlyList<byte[]> actual)
    {
        if (actual.Count != expected.Count)
            throw new InvalidOperationException($"peers: {peer} emitted {actual.Count} records, NativePlugins {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
            if (!actual[i].AsSpan().SequenceEqual(expected[i]))
                throw new InvalidOperationException($"peers: {peer} record {i} differs from NativePlugins' " +
                    $"('{System.Text.Encoding.UTF8.GetString(actual[i])}' vs '{System.Text.Encoding.UTF8.GetString(expected[i])}')");
    }
}
