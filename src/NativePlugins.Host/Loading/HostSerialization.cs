namespace NativePlugins.Hosting.Loading;

/// <summary>Rule H1: <c>np_entry</c>, <c>init</c> and <c>deinit</c> are [host-serialized]. One lock for the whole
/// process, because two hosts (or two loads of one file, which share one dlopen handle) must not call them at
/// once either; they are called rarely, so contention does not matter.</summary>
internal static class HostSerialization
{
    public static readonly Lock Lock = new();
}
