using System.Text.Json;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Cli.Commands;

/// <summary><c>nplug list [dir...]</c>: a table of the plugins found, then every refused file with its reason.</summary>
internal static class ListCommand
{
    public static int Run(ListOptions o, CliConsole console)
    {
        var dirs = o.Directories.ToList();
        using var host = HostFactory.Create(o, console.Error, includeDefaults: dirs.Count == 0);
        var result = dirs.Count == 0 ? host.LoadFromSearchPath() : host.LoadDirectories(dirs.Concat(o.PluginDirs));
        if (o.Json) WriteJson(result, console.Out);
        else WriteText(result, console);
        return result.HasErrors ? ExitCodes.PluginError : ExitCodes.Ok;
    }

    private static void WriteText(DiscoveryResult result, CliConsole console)
    {
        var w = console.Out;
        var plugins = result.Libraries.SelectMany(l => l.Plugins.Select(p => (l, p))).ToList();
        if (plugins.Count == 0)
            w.WriteLine($"no plugins found in {(result.Directories.Count == 0 ? "(empty search path)" : string.Join(", ", result.Directories))}");
        else
        {
            var table = new TextTable("ID", "VERSION", "THREADING", "INTERFACES", "ABI", "FILE");
            foreach (var (l, p) in plugins)
                table.Add(p.Id, p.Version, Formatting.Threading(p.Threading), string.Join(",", p.InterfaceDetails),
                    p.AbiVersion.ToString(), NativeText.OneLine(l.FileName)); // a file name may hold any byte but '/'

            table.Write(w);
            w.WriteLine();
            w.WriteLine($"{plugins.Count} plugin(s) in {result.Libraries.Count} librar{(result.Libraries.Count == 1 ? "y" : "ies")} " +
                $"from {string.Join(", ", result.Directories)}");
        }
        foreach (var s in result.Skipped) w.WriteLine($"skipped: {NativeText.OneLine(s.Path)}: {s.Reason}");
        w.Flush();
        foreach (var e in result.Errors) console.Error.WriteLine($"nplug: error: {e.Message}");
        // A directory that does not exist is an error too, but not a refused file: count them apart.
        int missing = result.Errors.Count(e => e.Reason == PluginLoadError.DirectoryNotFound);
        var summary = new List<string>();
        if (result.Errors.Count > missing) summary.Add($"{result.Errors.Count - missing} file(s) refused");
        if (missing > 0) summary.Add($"{missing} director{(missing == 1 ? "y" : "ies")} not found");
        if (summary.Count > 0) console.Error.WriteLine($"nplug: {string.Join(", ", summary)}");
    }

    private static void WriteJson(DiscoveryResult result, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteStartArray("directories");
            foreach (var d in result.Directories) j.WriteStringValue(d);
            j.WriteEndArray();
            j.WriteStartArray("libraries");
            foreach (var l in result.Libraries) JsonModel.WriteLibrary(j, l);
            j.WriteEndArray();
            j.WriteStartArray("errors");
            foreach (var e in result.Errors) JsonModel.WriteError(j, e);
            j.WriteEndArray();
            j.WriteStartArray("skipped");
            foreach (var s in result.Skipped)
            {
                j.WriteStartObject();
                j.WriteString("path", s.Path);
                j.WriteString("reason", s.Reason);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        w.Flush();
    }
}
