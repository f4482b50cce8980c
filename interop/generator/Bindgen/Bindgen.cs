// `nplug bindgen`: the command line of interop/interfaces.md section 2. Reads a contract's headers, refuses one that
// breaks rules I1-I7 (naming file, line and rule), and writes (or, with --check, compares) the bindings every
// language needs. Hosted by the nplug CLI and by the generator's own command line (`nplug-generator bindgen`).
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Bindgen;

public static class Bindgen
{
    public const string Usage = """
        usage: nplug bindgen <header>... --out <dir> [--include <dir>]... [--csharp-namespace <ns>] [--rust-module <name>] [--check]
          <header>...              the headers whose declarations are the contract
          --include <dir>          another include directory (nplug/nplug.h is always found)
          --csharp-namespace <ns>  namespace of the C# output (default: from the first interface id)
          --rust-module <name>     name of the Rust output file and module (default: the header's file name)
          --out <dir>              output folder (created)
          --check                  write nothing; exit 1 naming every file under --out that differs
        """;

    /// <param name="workingDirectory">The folder relative paths of <paramref name="args"/> are relative to (default: the
    /// process's current directory); `nplug new` runs bindgen inside the project it creates without changing the
    /// process-wide current directory, and the banners keep the relative command a user reruns there.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, string? workingDirectory = null)
    {
        string Resolve(string path) => workingDirectory is null ? path : Path.GetFullPath(path, workingDirectory);
        var headers = new List<string>();
        var includes = new List<string>();
        string? ns = null, module = null, outDir = null;
        bool check = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            bool hasValue = i + 1 < args.Length;
            switch (a)
            {
                case "--include" when hasValue: includes.Add(args[++i]); break;
                case "--csharp-namespace" when hasValue: ns = args[++i]; break;
                case "--rust-module" when hasValue: module = args[++i]; break;
                case "--out" when hasValue: outDir = args[++i]; break;
                case "--check": check = true; break;
                case "-h" or "--help": output.WriteLine(Usage); return 0;
                case var _ when a.StartsWith('-'):
                    error.WriteLine($"nplug bindgen: unknown option or missing value: `{a}`\n{Usage}");
                    return 2;
                default: headers.Add(a); break;
            }
        }
        if (headers.Count == 0 || outDir is null)
        {
            error.WriteLine($"nplug bindgen: {(headers.Count == 0 ? "no header given" : "--out is required")}\n{Usage}");
            return 2;
        }

        string command = CommandLine(args);
        try
        {
            var request = new BindgenRequest(headers.Select(Resolve).ToList(), includes.Select(Resolve).ToList(), AbiHeaders.Locate(),
                ns, module, command);
            ContractModel model = ContractBuilder.Build(request);
            foreach (var iface in model.Interfaces)
                foreach (var f in iface.Functions.Where(f => f.NoWrapperReason is not null))
                    output.WriteLine($"nplug bindgen: note: {iface.Id}: {f.Name} gets no typed wrapper, only its function pointer: {f.NoWrapperReason}");
            foreach (var iface in model.Interfaces)
                if (IsolationShapes.Of(iface).Reason is { } notIsolated)
                    output.WriteLine($"nplug bindgen: note: {iface.Id} cannot be isolated (PluginHostOptions.Isolation), so no proxy is " +
                                     $"emitted; its in-process bindings are complete: {notIsolated}");
            var files = BindgenPlan.Generate(model);
            string full = Path.GetFullPath(Resolve(outDir));
            return check ? BindgenOutput.Check(full, files, command, output, error) : BindgenOutput.Write(full, files, output);
        }
        catch (GeneratorException e)
        {
            error.WriteLine($"nplug bindgen: error: {e.Message}");
            return 1;
        }
        catch (DllNotFoundException)
        {
            error.WriteLine("nplug bindgen: error: libclang-14.so.1 could not be loaded; install libclang1-14 (Debian/Ubuntu: apt-get install libclang1-14)");
            return 1;
        }
    }

    /// <summary>The command that regenerates the output, as the banners print it: the arguments as given, without
    /// --check (a check run must expect the same banner as the run that wrote the files).</summary>
    public static string CommandLine(IEnumerable<string> args) =>
        string.Join(' ', args.Where(a => a != "--check").Select(Quote).Prepend("nplug bindgen"));

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '=' or ':' or '+' or ',')
            ? arg
            : "'" + arg.Replace("'", "'\\''") + "'";
}
