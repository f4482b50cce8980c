using System.Text;
using System.Text.Json;
using NativePlugins.Cli;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Host.Tests.Interfaces;

/// <summary><c>nplug inspect</c> and <c>nplug list</c> show the interface layouts a library gives (ABI 1.2), for
/// interfaces nplug itself knows nothing about.</summary>
[Collection(GreeterCollection.Name)]
public class InterfaceCliTests
{
    private static (int Exit, string Out) Nplug(params string[] args)
    {
        using var input = new MemoryStream();
        using var output = new MemoryStream();
        int exit;
        using (var console = new CliConsole(input, output, new StringWriter())) exit = NplugCli.Run(args, console);
        return (exit, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Inspect_shows_each_interface_with_the_fingerprint_the_library_gives()
    {
        var (exit, text) = Nplug("inspect", Greeters.Library);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains($"  interfaces   acme.greeter/1 (fingerprint 0x{Greeters.Fingerprint11:x16})\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("  interfaces   acme.greeter/1\n", text.ReplaceLineEndings("\n")); // the minor-0 plugin gives none
        Assert.Contains("acme.other/1 (fingerprint 0x4f544845525f4650), acme.greeter/1 (fingerprint", text);

        var (_, json) = Nplug("inspect", "--json", Greeters.Library);
        using var doc = JsonDocument.Parse(json);
        var greeter = doc.RootElement.GetProperty("plugins").EnumerateArray().Single(p => p.GetProperty("id").GetString() == Greeters.Greeter);
        Assert.Equal(["acme.greeter/1"], greeter.GetProperty("interfaces").EnumerateArray().Select(i => i.GetString()));
        var detail = Assert.Single(greeter.GetProperty("interfaceDetails").EnumerateArray());
        Assert.Equal("acme.greeter/1", detail.GetProperty("id").GetString());
        Assert.Equal(48, detail.GetProperty("structSize").GetInt32());
        Assert.Equal($"0x{Greeters.Fingerprint11:x16}", detail.GetProperty("layoutFingerprint").GetString());
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("minor").ValueKind);
    }

    [Fact]
    public void List_shows_the_fingerprints_in_the_interfaces_column()
    {
        using var dir = new TempDirectory();
        dir.Copy(Greeters.Library);
        var (exit, text) = Nplug("list", dir.Path);
        Assert.Equal(ExitCodes.Ok, exit);
        var line = Assert.Single(text.Split('\n'), l => l.StartsWith(Greeters.Greeter + " ", StringComparison.Ordinal));
        Assert.Contains($"acme.greeter/1 (fingerprint 0x{Greeters.Fingerprint11:x16})", line);
    }
}
