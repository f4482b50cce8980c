// Writes bindgen's files under --out, or (--check) compares them with what is there: CI regenerates the committed
// bindings of a contract in memory and fails, naming each file, when they are stale.
using System.Text;

namespace NativePlugins.Generator.Bindgen;

internal static class BindgenOutput
{
    public static int Write(string outDir, IReadOnlyDictionary<string, string> files, TextWriter output)
    {
        int changed = 0;
        foreach (var (rel, text) in files)
        {
            string path = Path.Combine(outDir, rel);
            if (File.Exists(path) && File.ReadAllText(path) == text) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            output.WriteLine($"wrote   {rel}");
            changed++;
        }
        foreach (var stale in StaleFiles(outDir, files))
        {
            File.Delete(Path.Combine(outDir, stale));
            output.WriteLine($"deleted {stale} (no longer generated)");
            changed++;
        }
        output.WriteLine($"nplug bindgen: {files.Count} files in {outDir}, {changed} changed");
        return 0;
    }

    public static int Check(string outDir, IReadOnlyDictionary<string, string> files, string command, TextWriter output, TextWriter error)
    {
        var problems = new List<string>();
        foreach (var (rel, text) in files)
        {
            string path = Path.Combine(outDir, rel);
            if (!File.Exists(path)) problems.Add($"missing {rel}");
            else if (File.ReadAllText(path) is var onDisk && onDisk != text)
                problems.Add($"differs {rel}: {OutputSync.FirstDifference(onDisk, text)}");
        }
        problems.AddRange(StaleFiles(outDir, files).Select(s => $"stale   {s} (no longer generated)"));
        if (problems.Count == 0)
        {
            output.WriteLine($"nplug bindgen: all {files.Count} files in {outDir} are up to date");
            return 0;
        }
        error.WriteLine($"nplug bindgen: the bindings in {outDir} are out of date with their headers:");
        foreach (var p in problems) error.WriteLine("  " + p);
        error.WriteLine($"Regenerate with `{command}` and commit the result.");
        return 1;
    }

    private static IEnumerable<string> StaleFiles(string outDir, IReadOnlyDictionary<string, string> files)
    {
        foreach (var folder in BindgenPlan.OwnedFolders)
        {
            string dir = Path.Combine(outDir, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string rel = Path.GetRelativePath(outDir, file).Replace('\\', '/');
                if (!files.ContainsKey(rel)) yield return rel;
            }
        }
    }
}
