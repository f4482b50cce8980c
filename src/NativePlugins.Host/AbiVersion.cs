namespace NativePlugins.Hosting;

/// <summary>An ABI version: major (peers talk only when equal) and minor (append-only within a major).</summary>
public readonly record struct AbiVersion(uint Major, uint Minor) : IComparable<AbiVersion>
{
    /// <summary>The newest ABI this host speaks (the header's <c>NP_ABI_MAJOR</c>.<c>NP_ABI_MINOR</c>).</summary>
    public static AbiVersion Current => new(Interop.NpAbi.NP_ABI_MAJOR, Interop.NpAbi.NP_ABI_MINOR);

    /// <inheritdoc />
    public int CompareTo(AbiVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    /// <inheritdoc />
    public override string ToString() => $"{Major}.{Minor}";

    /// <summary>Orders by major, then minor.</summary>
    public static bool operator <(AbiVersion a, AbiVersion b) => a.CompareTo(b) < 0;

    /// <summary>Orders by major, then minor.</summary>
    public static bool operator >(AbiVersion a, AbiVersion b) => a.CompareTo(b) > 0;

    /// <summary>Orders by major, then minor.</summary>
    public static bool operator <=(AbiVersion a, AbiVersion b) => a.CompareTo(b) <= 0;

    /// <summary>Orders by major, then minor.</summary>
    public static bool operator >=(AbiVersion a, AbiVersion b) => a.CompareTo(b) >= 0;
}
