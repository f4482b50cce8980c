using System.Diagnostics;
using NativePlugins.Generator;
using NativePlugins.Generator.Model;
using NativePlugins.Generator.Parsing;

namespace NativePlugins.Interop.Tests;

/// <summary>A private copy of the header set laid out like the repository (scratch/interop/include/nplug), that a
/// test edits, regenerates and compiles without touching the real tree.</summary>
internal sealed class ScratchHeaderSet : IDisposable
{
    public string Root { get; }
    public string IncludeDir => Path.Combine(Root, "interop", "include");

    public ScratchHeaderSet()
    {
        Root = Path.Combine(Path.GetTempPath(), "nplug-drift-" + Guid.NewGuid().ToString("N")[..12]);
        CopyDirectory(RepoFiles.IncludeDir, IncludeDir);
    }

    /// <summary>Replaces the one occurrence of <paramref name="anchor"/> in a header with <paramref name="replacement"/>.</summary>
    public void Edit(string header, string anchor, string replacement)
    {
        string path = Path.Combine(IncludeDir, "nplug", header);
        string text = File.ReadAllText(path);
        int at = text.IndexOf(anchor, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(anchor, at + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"anchor `{anchor}` is not unique in {header}: the test needs updating");
        File.WriteAllText(path, text[..at] + replacement + text[(at + anchor.Length)..]);
    }

    public AbiModel Parse() => new HeaderParser(IncludeDir, TextWriter.Null).Parse();

    /// <summary>Regenerates every output into the scratch tree (np_layout.g.h included) and returns the files.</summary>
    public SortedDictionary<string, string> Regenerate()
    {
        var files = GenerationPlan.Generate(Parse());
        foreach (var (rel, text) in files)
        {
            string path = Path.Combine(Root, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        return files;
    }

    /// <summary>Compiles a C source against the scratch header set into a shared library; returns its path.</summary>
    public string CompileSharedLibrary(string name, string source)
    {
        string c = Path.Combine(Root, name + ".c");
        string so = Path.Combine(Root, "lib" + name + ".so");
        File.WriteAllText(c, source);
        var psi = new ProcessStartInfo("cc", ["-std=c11", "-Wall", "-Werror", "-shared", "-fPIC", "-I", IncludeDir, "-o", so, c])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        string errors = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"cc failed ({p.ExitCode}):\n{errors}");
        return so;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
