// Writes the generated files (--write) or compares them with what is on disk (--check). Generated folders are
// owned by the generator: a file there that the generator no longer produces is stale and is deleted (--write)
// or reported (--check).
using System.Text;

namespace NativePlugins.Generator;

public static class OutputSync
{
    /// <summary>Folders whose every *.g.* file comes from the generator.</summary>
    private static readonly string[] GeneratedFolders =
    [
        "interop/bindings/csharp/Generated",
        "interop/bindings/rust/src",
        "interop/bindings/rust/tests",
        "interop/layout",
        "interop/tests",
        "interop/include/nplug",
        "tests/NativePlugins.Interop.Tests",
    ];

    public static int Write(string root, IReadOnlyDictionary<string, string> files)
    {
        int changed = 0;
        foreach (var (rel, text) in files)
        {
            string path = Path.Combine(root, rel);
            if (File.Exists(path) && File.ReadAllText(path) == text) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            Console.WriteLine($"wrote   {rel}");
            changed++;
        }
        foreach (var stale in StaleFiles(root, files))
        {
            File.Delete(Path.Combine(root, stale));
            Console.WriteLine($"deleted {stale} (no longer generated)");
            changed++;
        }
        Console.WriteLine($"nplug-generator: {files.Count} generated files, {changed} changed");
        return 0;
    }

    public static int Check(string root, IReadOnlyDictionary<string, string> files)
    {
        var problems = Differences(root, files);
        if (problems.Count == 0)
        {
            Console.WriteLine($"nplug-generator: all {files.Count} generated files are up to date");
            return 0;
        }
        Console.Error.WriteLine("nplug-generator: generated files are out of date with interop/include/nplug:");
        foreach (var p in problems) Console.Error.WriteLine("  " + p);
        Console.Error.WriteLine($"Regenerate with `{Emit.Banner.Command}` and commit the result.");
        return 1;
    }

    /// <summary>One line per generated file that is missing, differs (with the first differing line) or is stale.</summary>
    public static IReadOnlyList<string> Differences(string root, IReadOnlyDictionary<string, string> files)
    {
        var problems = new List<string>();
        foreach (var (rel, text) in files)
        {
            string path = Path.Combine(root, rel);
            if (!File.Exists(path)) { problems.Add($"missing {rel}"); continue; }
            string onDisk = File.ReadAllText(path);
            if (onDisk != text) problems.Add($"differs {rel}: {FirstDifference(onDisk, text)}");
        }
        problems.AddRange(StaleFiles(root, files).Select(s => $"stale   {s} (no longer generated)"));
        return problems;
    }

    private static IEnumerable<string> StaleFiles(string root, IReadOnlyDictionary<string, string> files)
    {
        foreach (var folder in GeneratedFolders)
        {
            string dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (rel.Contains("/bin/") || rel.Contains("/obj/") || !Path.GetFileName(rel).Contains(".g.")) continue;
                if (!files.ContainsKey(rel)) yield return rel;
            }
        }
    }

    /// <summary>"line N: expected `...`, found `...`": enough to see what changed without a diff tool.</summary>
    internal static string FirstDifference(string onDisk, string generated)
    {
        var a = onDisk.Split('\n');
        var b = generated.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "<end of file>";
            string y = i < b.Length ? b[i] : "<end of file>";
            if (x != y) return $"line {i + 1}: committed `{Trim(x)}`, generator `{Trim(y)}`";
        }
        return "line endings or encoding differ";
    }

    private static string Trim(string s) => s.Length > 100 ? s[..100] + "..." : s.TrimEnd('\r');
}
