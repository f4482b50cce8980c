using System.Text.Json;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Hosting;
using NativePlugins.Interop;

namespace NativePlugins.Cli.Commands;

/// <summary><c>nplug list [dir...]</c>: a table of the plugins found, then every refused file with its reason. Found by
/// <see cref="PluginHost.Discover()"/> (the out-of-process scanner and the registry cache: <c>--isolate</c>, the default)
/// unless <c>--in-process</c>.</summary>
internal static class ListCommand
{
    public static int Run(ListOptions o, CliConsole console)
    {
        var dirs = o.Directories.ToList();
        if (!(o.ScanTimeout > 0)) throw new UsageException("list: --scan-timeout must be a positive number of seconds");
        if (o.Isolate && o.InProcess) throw new UsageException("list: --isolate and --in-process exclude each other");
        var discovery = DiscoveryOptions.Default with { UseCache = !o.NoCache, ScanTimeout = TimeSpan.FromSeconds(o.ScanTimeout) };
        using var host = HostFactory.Create(o, console.Error, includeDefaults: dirs.Count == 0, discovery);
        if (o.InProcess)
        {
            var result = dirs.Count == 0 ? host.LoadFromSearchPath() : host.LoadDirectories(dirs.Concat(o.PluginDirs));
            var listed = new Listing(result.Directories, result.Libraries.Select(Listed.Of).ToList(), result.Errors, result.Skipped, null);
            if (o.Json) WriteJson(listed, host.AbiVersion, console.Out);
            else WriteText(listed, console);
            return result.HasErrors ? ExitCodes.PluginError : ExitCodes.Ok;
        }
        // Out of process (nplug-scan) and from the registry cache: nothing of a library runs inside nplug.
        var catalog = dirs.Count == 0 ? host.Discover() : host.Discover(dirs.Concat(o.PluginDirs));
        var listing = new Listing(catalog.Directories, catalog.Libraries.Select(Listed.Of).ToList(), catalog.Errors,
            catalog.Skipped, catalog.Statistics);
        if (o.Json) WriteJson(listing, host.AbiVersion, console.Out);
        else WriteText(listing, console);
        if (catalog.CacheWarning is { } warning) console.Error.WriteLine($"nplug: warning: {NativeText.OneLine(warning)}");
        return catalog.HasErrors ? ExitCodes.PluginError : ExitCodes.Ok;
    }

    /// <summary>A library as the listing shows it, loaded (--in-process) or discovered.</summary>
    private sealed record Listed(string FilePath, string Sdk, AbiVersion Agreed, AbiVersion Library, ulong Fingerprint,
        LibraryFlags Flags, string Source, IReadOnlyList<PluginInfo> Plugins)
    {
        public string FileName => Path.GetFileName(FilePath);

        public static Listed Of(PluginLibrary l) =>
            new(l.FilePath, l.Sdk, l.AgreedAbi, l.LibraryAbi, l.LayoutFingerprint, l.Flags, "load", l.Plugins);

        public static Listed Of(DiscoveredLibrary l) =>
            new(l.FilePath, l.Sdk, l.AgreedAbi, l.LibraryAbi, l.LayoutFingerprint, l.Flags,
                l.Source.ToString().ToLowerInvariant(), l.Plugins);
    }

    private sealed record Listing(IReadOnlyList<string> Directories, IReadOnlyList<Listed> Libraries,
        IReadOnlyList<PluginLoadException> Errors, IReadOnlyList<SkippedPath> Skipped, DiscoveryStatistics? Statistics);

    private static void WriteText(Listing result, CliConsole console)
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
            if (result.Statistics is { } st)
                w.WriteLine($"discovery: {st.CacheHits} from the cache, {st.ManifestsUsed} from manifests, {st.Scanned} scanned out of process");
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

    private static void WriteJson(Listing result, AbiVersion hostAbi, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteStartArray("directories");
            foreach (var d in result.Directories) j.WriteStringValue(d);
            j.WriteEndArray();
            j.WriteStartArray("libraries");
            foreach (var l in result.Libraries)
            {
                j.WriteStartObject();
                j.WriteString("file", l.FilePath);
                j.WriteString("source", l.Source);
                j.WriteString("sdk", l.Sdk);
                j.WriteString("abiAgreed", l.Agreed.ToString());
                j.WriteString("abiLibrary", l.Library.ToString());
                j.WriteString("abiHost", hostAbi.ToString());
                j.WriteString("layoutFingerprint", Formatting.Hex(l.Fingerprint));
                j.WriteStartArray("flags");
                foreach (var f in Formatting.LibraryFlagNames(l.Flags)) j.WriteStringValue(f);
                j.WriteEndArray();
                j.WriteStartArray("plugins");
                foreach (var p in l.Plugins) JsonModel.WritePlugin(j, p);
                j.WriteEndArray();
                j.WriteEndObject();
            }
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
            if (result.Statistics is { } st)
            {
                j.WriteStartObject("discovery");
                j.WriteNumber("cacheHits", st.CacheHits);
                j.WriteNumber("manifestsUsed", st.ManifestsUsed);
                j.WriteNumber("staleManifests", st.StaleManifests);
                j.WriteNumber("scanned", st.Scanned);
                j.WriteNumber("scannerRuns", st.ScannerRuns);
                j.WriteEndObject();
            }
            j.WriteEndObject();
        }
        w.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        w.Flush();
    }
}
