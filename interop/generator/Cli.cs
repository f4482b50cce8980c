// Command line of the generator. One command regenerates everything (--write); --check regenerates in memory and
// fails, naming every file that differs, when the committed output is stale (CI runs it through check.sh).
using NativePlugins.Generator.Model;
using NativePlugins.Generator.Parsing;

namespace NativePlugins.Generator;

public static class Cli
{
    private const string Usage = """
        usage: nplug-generator (--write | --check | --dump) [--root <repo>] [--include <dir>] [--out <dir>] [--verbose]
               nplug-generator bindgen <header>... --out <dir> [...]   (= nplug bindgen; see interop/interfaces.md)
          --write          regenerate every generated file in place
          --check          regenerate in memory; exit 1 and list the files that differ from what is on disk
          --dump           print the parsed model (structs, fields, offsets, @since, constants)
          --root <repo>    repository root (default: found from the current directory upwards)
          --include <dir>  header set to read (default: <root>/interop/include)
          --out <dir>      where generated files go, mirroring the repository layout (default: <root>)
          --verbose        also print the macros that are not constants and why they are skipped
        """;

    public static int Run(string[] args)
    {
        // `nplug-generator bindgen ...` is `nplug bindgen ...` without building the CLI (interop/interfaces.md).
        if (args.Length > 0 && args[0] == "bindgen") return Bindgen.Bindgen.Run(args[1..], Console.Out, Console.Error);
        string? mode = null, root = null, include = null, output = null;
        bool verbose = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--write" or "--check" or "--dump": mode = args[i][2..]; break;
                case "--root" when i + 1 < args.Length: root = args[++i]; break;
                case "--include" when i + 1 < args.Length: include = args[++i]; break;
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                case "--verbose": verbose = true; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"unknown argument `{args[i]}`\n{Usage}"); return 2;
            }
        }
        if (mode is null) { Console.Error.WriteLine(Usage); return 2; }

        try
        {
            root = Path.GetFullPath(root ?? FindRepoRoot());
            include = Path.GetFullPath(include ?? Path.Combine(root, "interop", "include"));
            output = Path.GetFullPath(output ?? root);
            var model = new HeaderParser(include, verbose ? Console.Out : TextWriter.Null).Parse();
            if (mode == "dump")
            {
                ModelDump.Write(model, Console.Out);
                return 0;
            }
            var files = GenerationPlan.Generate(model);
            return mode == "write" ? OutputSync.Write(output, files) : OutputSync.Check(output, files);
        }
        catch (GeneratorException e)
        {
            Console.Error.WriteLine($"nplug-generator: error: {e.Message}");
            return 1;
        }
        catch (DllNotFoundException e)
        {
            Console.Error.WriteLine($"nplug-generator: error: libclang-14.so.1 could not be loaded ({e.Message}); " +
                                    "install Debian's libclang1-14 (.ci/install-deps.sh does)");
            return 1;
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "interop", "include", HeaderParser.UmbrellaHeader)))
                return dir.FullName;
        throw new GeneratorException("cannot find the repository root (a folder with interop/include/nplug/nplug.h); pass --root");
    }
}
