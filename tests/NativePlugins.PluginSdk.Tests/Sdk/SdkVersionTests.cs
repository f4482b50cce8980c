using NativePlugins.PluginSdk.Runtime;
using NativePlugins.TestSupport;

namespace NativePlugins.PluginSdk.Tests.Sdk;

/// <summary>The SDK string C# plugins report carries the product version from its one source, interop/VERSION.</summary>
public sealed class SdkVersionTests
{
    [Fact]
    public void Sdk_name_is_nplug_cs_at_the_product_version()
    {
        string version = File.ReadAllText(RepoLayout.RepoFile("interop/VERSION")).Trim();
        Assert.Equal(LibraryState.SdkName, $"nplug-cs/{version}");
    }
}
