using System.Text;
using System.Text.RegularExpressions;
using NativePlugins.Cli.Infrastructure;

namespace NativePlugins.Cli.Commands;

/// <summary>
/// The Rust crates a project of <c>nplug new rust</c> depends on by path: nplug-sdk, and nplug-abi (the SDK's
/// dependency, and the generated bindings of an interface name its types). By default they are copied ("vendored")
/// from the copies nplug ships next to itself (<c>&lt;nplug&gt;/rust/nplug-sdk</c>, <c>&lt;nplug&gt;/rust/nplug-abi</c>:
/// Cargo.toml, README, build.rs and src/ of each) into the project's vendor/, so the project builds offline with no
/// registry; <c>--rust-sdk</c> points at existing folders instead.
/// </summary>
internal static partial class NewRustCrates
{
    public const string Sdk = "nplug-sdk";
    public const string Abi = "nplug-abi";

    /// <summary>Where nplug's own copies of the crates are (the CLI's project file puts them there).</summary>
    public static string ShippedDir => Path.Combine(AppContext.BaseDirectory, "rust");

    /// <summary>A crate to copy: its folder, and its Cargo.toml as the project gets it.</summary>
    public sealed record VendoredCrate(string Name, string Source, string Manifest);

    [GeneratedRegex(@"^\s*name\s*=\s*""([^""]*)""")]
    private static partial Regex PackageName();

    [GeneratedRegex(@"^\s*\[\s*([^\]]*?)\s*\]\s*(#.*)?$")]
    private static partial Regex TableHeader();

    [GeneratedRegex(@"^\s*nplug-abi\s*[=.]")]
    private static partial Regex AbiDependency();

    [GeneratedRegex(@"version\s*=\s*""([^""]*)""")]
    private static partial Regex VersionField();

    [GeneratedRegex(@"^\s*([A-Za-z0-9_.-]*\.)?workspace\s*=\s*true\b")]
    private static partial Regex WorkspaceInheritance();

    /// <summary>
    /// nplug's copies of both crates, checked before anything is written: each must be the crate it claims to be and
    /// build on its own. The one rewrite: nplug-sdk's dependency on nplug-abi becomes <c>path = "../nplug-abi"</c>,
    /// since vendor/ puts the two crates side by side whatever their relative place where nplug was built.
    /// </summary>
    public static IReadOnlyList<VendoredCrate> Shipped(string shippedDir)
    {
        string sdkDir = Path.Combine(shippedDir, Sdk), abiDir = Path.Combine(shippedDir, Abi);
        string sdkManifest = ReadManifest(sdkDir, Sdk, "nplug's copy of");
        string abiManifest = ReadManifest(abiDir, Abi, "nplug's copy of");
        sdkManifest = PointAbiDependencyAtSibling(sdkManifest, Path.Combine(sdkDir, "Cargo.toml"));
        RefuseWorkspaceInheritance(sdkManifest, Path.Combine(sdkDir, "Cargo.toml"));
        RefuseWorkspaceInheritance(abiManifest, Path.Combine(abiDir, "Cargo.toml"));
        return [new VendoredCrate(Sdk, sdkDir, sdkManifest), new VendoredCrate(Abi, abiDir, abiManifest)];
    }

    /// <summary>Copies a crate's sources (Cargo.toml as given, README*, build.rs, src/**; not target/ or tests/).</summary>
    public static void Copy(VendoredCrate crate, string destination)
    {
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "Cargo.toml"), crate.Manifest, new UTF8Encoding(false));
        foreach (var file in Directory.EnumerateFiles(crate.Source))
        {
            string name = Path.GetFileName(file);
            if (name.StartsWith("README", StringComparison.Ordinal) || name == "build.rs")
                File.Copy(file, Path.Combine(destination, name), overwrite: true);
        }
        string src = Path.Combine(crate.Source, "src");
        foreach (var file in Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, "src", Path.GetRelativePath(src, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>An existing nplug-sdk for --rust-sdk: its folder, the nplug-abi folder next to it (null when not
    /// needed), and whether the SDK names nplug-abi by version only (a packaged crate, as from a registry), which the
    /// project then points at that folder with [patch.crates-io].</summary>
    public sealed record ExistingCrates(string Sdk, string? Abi, bool AbiFromRegistry);

    /// <summary>
    /// --rust-sdk: the nplug-sdk folder given, and the nplug-abi folder next to it (named nplug-abi or
    /// nplug-abi-&lt;version&gt;, as an unpacked crate is) when an interface's bindings or a registry dependency need it.
    /// </summary>
    public static ExistingCrates Existing(string sdkDir, bool interfaceNeedsAbi)
    {
        string sdk = Path.GetFullPath(sdkDir);
        string manifest = ReadManifest(sdk, Sdk, "--rust-sdk");
        bool fromRegistry = !AbiDependencyHasPath(manifest);
        if (!interfaceNeedsAbi && !fromRegistry) return new ExistingCrates(sdk, null, false);
        string why = fromRegistry ? $"its Cargo.toml names {Abi} by version only" : "an interface's generated bindings need it";
        string parent = Path.GetDirectoryName(sdk)!;
        var candidates = Directory.EnumerateDirectories(parent)
            .Where(d => Path.GetFileName(d) is var n && (n == Abi || n.StartsWith(Abi + "-", StringComparison.Ordinal)))
            .Where(d => File.Exists(Path.Combine(d, "Cargo.toml")) && ManifestName(File.ReadAllText(Path.Combine(d, "Cargo.toml"))) == Abi)
            .ToList();
        return candidates.Count switch
        {
            1 => new ExistingCrates(sdk, candidates[0], fromRegistry),
            0 => throw new UsageException($"new: --rust-sdk {sdkDir}: no {Abi} crate next to it in {parent} (a folder {Abi} or " +
                $"{Abi}-<version> with its Cargo.toml); {why}"),
            _ => throw new UsageException($"new: --rust-sdk {sdkDir}: more than one {Abi} crate next to it: " +
                string.Join(", ", candidates.Select(Path.GetFileName))),
        };
    }

    /// <summary>Whether nplug-sdk's dependency on nplug-abi (inline in [dependencies], or its own
    /// [dependencies.nplug-abi] table as cargo package writes it) has a path.</summary>
    private static bool AbiDependencyHasPath(string manifest)
    {
        string? table = null;
        foreach (string line in Lines(manifest))
        {
            if (TableHeader().Match(line) is { Success: true } header) table = header.Groups[1].Value;
            else if (table == "dependencies" && AbiDependency().IsMatch(line)) return PathField().IsMatch(line);
            else if (table == $"dependencies.{Abi}" && PathField().IsMatch(line)) return true;
        }
        return false;
    }

    [GeneratedRegex(@"\bpath\s*=")]
    private static partial Regex PathField();

    private static string ReadManifest(string dir, string expected, string what)
    {
        string manifest = Path.Combine(dir, "Cargo.toml");
        if (!File.Exists(manifest))
            throw what == "--rust-sdk"
                ? new UsageException($"new: --rust-sdk {dir}: no Cargo.toml there (give the {expected} crate's folder)")
                : new IOException($"new: {what} {expected} is missing: {manifest} (reinstall nplug, or pass --rust-sdk <dir>)");
        string text = File.ReadAllText(manifest);
        string? name = ManifestName(text);
        if (name != expected)
        {
            string message = $"new: {manifest}: the package is {(name is null ? "unnamed" : $"'{name}'")}, not {expected}";
            throw what == "--rust-sdk" ? new UsageException(message) : new IOException(message);
        }
        return text;
    }

    /// <summary>The name of the [package] table, or null.</summary>
    private static string? ManifestName(string manifest)
    {
        string? table = null;
        foreach (string line in Lines(manifest))
        {
            if (TableHeader().Match(line) is { Success: true } header) table = header.Groups[1].Value;
            else if (table == "package" && PackageName().Match(line) is { Success: true } name) return name.Groups[1].Value;
        }
        return null;
    }

    private static string PointAbiDependencyAtSibling(string manifest, string file)
    {
        var lines = Lines(manifest).ToList();
        string? table = null;
        int rewritten = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            if (TableHeader().Match(lines[i]) is { Success: true } header)
            {
                table = header.Groups[1].Value;
                if (table == $"dependencies.{Abi}")
                    throw new IOException($"new: {file}:{i + 1}: [dependencies.{Abi}] as a table is not understood; write " +
                        $"the dependency on one line ({Abi} = {{ path = \"...\", version = \"...\" }})");
                continue;
            }
            if (table != "dependencies" || !AbiDependency().IsMatch(lines[i])) continue;
            var version = VersionField().Match(lines[i]);
            lines[i] = $"{Abi} = {{ path = \"../{Abi}\"{(version.Success ? $", version = \"{version.Groups[1].Value}\"" : "")} }}" +
                "  # vendor/ by nplug new";
            rewritten++;
        }
        if (rewritten != 1)
            throw new IOException($"new: {file}: expected one dependency on {Abi} in [dependencies], found {rewritten}");
        return string.Join('\n', lines) + "\n";
    }

    private static void RefuseWorkspaceInheritance(string manifest, string file)
    {
        int n = 0;
        foreach (string line in Lines(manifest))
        {
            n++;
            if (WorkspaceInheritance().IsMatch(line))
                throw new IOException($"new: {file}:{n}: `{line.Trim()}` inherits from the Cargo workspace this copy was " +
                    "built in, so it cannot build on its own in vendor/ (a packaging bug of nplug); pass --rust-sdk <dir> " +
                    "with a self-contained nplug-sdk");
        }
    }

    private static IEnumerable<string> Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
}
