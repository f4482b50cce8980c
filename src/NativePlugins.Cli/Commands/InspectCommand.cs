using System.Text.Json;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Cli.Commands;

/// <summary><c>nplug inspect file</c>: everything one library declares, or why it was refused.</summary>
internal static class InspectCommand
{
    public static int Run(InspectOptions o, CliConsole console)
    {
        using var host = new PluginHost(new PluginHostOptions
        {
            UseEnvironmentSearchPath = false,
            HostName = "nplug",
            LoggerFactory = new StderrLoggerProvider(console.Error, Microsoft.Extensions.Logging.LogLevel.Warning),
        });
        if (!host.TryLoad(o.File, out var library, out var error))
        {
            if (o.Json) Json(console.Out, j => { j.WriteStartObject(); j.WritePropertyName("error"); JsonModel.WriteError(j, error); j.WriteEndObject(); });
            console.Error.WriteLine($"nplug: error: {error.Message}");
            return ExitCodes.PluginError;
        }
        if (o.Json) Json(console.Out, j => JsonModel.WriteLibrary(j, library));
        else Text(library, console.Out);
        return ExitCodes.Ok;
    }

    // Library-provided strings pass P2 (UTF-8) but may still hold newlines or terminal escapes: shown one line each.
    private static void Text(PluginLibrary l, TextWriter w)
    {
        w.WriteLine($"file         {NativeText.OneLine(l.FilePath)}");
        w.WriteLine($"sdk          {(l.Sdk.Length == 0 ? "(not given)" : NativeText.OneLine(l.Sdk))}");
        w.WriteLine($"abi          {l.AgreedAbi} agreed (library {l.LibraryAbi}, host {l.Host.AbiVersion})");
        w.WriteLine($"fingerprint  {Formatting.Hex(l.LayoutFingerprint)} (layout report {(l.HasLayoutReport ? "present" : "absent")})");
        w.WriteLine($"flags        {Formatting.FlagsLine(l)}");
        w.WriteLine($"unloadable   {(l.CanUnload ? "yes" : "no (stays mapped)")}");
        w.WriteLine($"plugins      {l.Plugins.Length}");
        foreach (var p in l.Plugins)
        {
            w.WriteLine();
            w.WriteLine($"{p.Id} {p.Version}");
            w.WriteLine($"  name         {NativeText.OneLine(p.Name)}");
            if (p.Description.Length > 0) w.WriteLine($"  description  {NativeText.OneLine(p.Description)}");
            if (p.Vendor.Length > 0) w.WriteLine($"  vendor       {NativeText.OneLine(p.Vendor)}");
            w.WriteLine($"  threading    {Formatting.Threading(p.Threading)}");
            // Each with what the library says of it: "acme.greeter/1 (fingerprint 0x...)" (ABI 1.2 interface layouts).
            w.WriteLine($"  interfaces   {string.Join(", ", p.InterfaceDetails)}");
        }
        w.Flush();
    }

    private static void Json(TextWriter w, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) write(j);
        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        w.Flush();
    }
}
