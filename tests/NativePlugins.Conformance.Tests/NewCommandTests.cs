using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NativePlugins.Cli;
using NativePlugins.Cli.Commands;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;

namespace NativePlugins.Conformance.Tests;

/// <summary>
/// <c>nplug new</c>, in-process: argument validation, the derived names, the file set of each language and kind, the
/// refusal of a non-empty folder, the vendoring of the Rust crates, and that the generated C plugins compile with cc
/// against this repository's C SDK and pass <c>nplug check</c> (in-process) unchanged. Building the Rust and C#
/// projects with cargo and dotnet publish is tests/packaging/consume-new.sh's part (against the installed packages).
/// </summary>
public class NewCommandTests
{
    private static (int Code, string Out, string Err) Nplug(params string[] args) => InProcessNplug.Run(args);

    /// <summary>The project's files, relative, sorted, with forward slashes.</summary>
    private static List<string> Files(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    [Theory]
    [InlineData(new[] { "new", "cobol", "com.example.x" }, "unknown language 'cobol' (one of: c, rust, csharp)")]
    [InlineData(new[] { "new", "c", "Com.Example" }, "'Com.Example' is not a plugin id")]
    [InlineData(new[] { "new", "c", "hello" }, "'hello' is not a plugin id")]
    [InlineData(new[] { "new", "c", "1acme.hello" }, "must start with a letter")]
    [InlineData(new[] { "new", "c", "com.x", "--interface", "acme.hello" }, "'acme.hello' is not an interface id")]
    [InlineData(new[] { "new", "c", "com.x", "--interface", "acme.hello/0" }, "'acme.hello/0' is not an interface id")]
    [InlineData(new[] { "new", "c", "com.x", "--interface", "acme/1" }, "needs a namespace and a name")]
    [InlineData(new[] { "new", "c", "com.x", "--interface", "np.thing/1" }, "the namespace np belongs to the ABI")]
    [InlineData(new[] { "new", "c", "com.x", "--interface", "9acme.x/1" }, "must start with a letter")]
    [InlineData(new[] { "new", "c", "com.x", "--rust-sdk", "/tmp" }, "--rust-sdk is for rust projects only")]
    [InlineData(new[] { "new", "rust", "acme.hello.v1", "--interface", "acme.hello/1" }, "gives the type name AcmeHelloV1, which the bindings of acme.hello/1 use")]
    public void Bad_arguments_are_usage_errors_that_say_why(string[] args, string message)
    {
        using var dir = new TempDirectory("nplug-new-tests");
        var (code, output, err) = Nplug([.. args, "--output", Path.Combine(dir.Path, "p")]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, err);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "p")), "nothing is written for a bad command line");
    }

    [Fact]
    public void Missing_arguments_are_usage_errors()
    {
        Assert.Equal(ExitCodes.Usage, Nplug("new").Code);
        Assert.Equal(ExitCodes.Usage, Nplug("new", "c").Code);
    }

    [Fact]
    public void The_help_explains_the_derived_names()
    {
        var (code, output, _) = Nplug("new", "--help");
        Assert.Equal(0, code);
        foreach (var name in new[] { "com_example_hello_world", "ComExampleHelloWorld", "Com.Example.HelloWorld", "include/acme/hello.h", "AcmeHelloV1" })
            Assert.Contains(name, output); // the help wraps at spaces: a name stays whole
    }

    [Fact]
    public void Names_are_derived_from_the_ids_deterministically()
    {
        var plugin = PluginNames.FromId("com.example.hello-world");
        Assert.Equal(("com_example_hello_world", "ComExampleHelloWorld", "Com.Example.HelloWorld"),
            (plugin.Name, plugin.TypeName, plugin.Namespace));
        var contract = InterfaceNames.FromId("acme.text-tools.hello/2");
        Assert.Equal(("acme", "text_tools_hello", "acme_text_tools_hello", "acme_text_tools_hello_v2", "AcmeTextToolsHelloV2", "Acme.TextTools.Hello", "text_tools_hello"),
            (contract.Prefix, contract.Stem, contract.CName, contract.VTable, contract.TypeName, contract.Namespace, contract.RustModule));
        Assert.Equal("include/acme/text_tools_hello.h", contract.HeaderPath);
    }

    public static TheoryData<string, bool, string[]> FileSets => new()
    {
        { "c", false, [".gitignore", "CMakeLists.txt", "README.md", "src/com_example_hello.c"] },
        { "rust", false, [".gitignore", "Cargo.toml", "README.md", "src/lib.rs", "vendor/nplug-abi/Cargo.toml", "vendor/nplug-abi/src/lib.rs",
            "vendor/nplug-sdk/Cargo.toml", "vendor/nplug-sdk/README.md", "vendor/nplug-sdk/src/lib.rs", "vendor/nplug-sdk/src/sub/more.rs"] },
        { "csharp", false, [".gitignore", "ComExampleHello.cs", "ComExampleHello.csproj", "README.md"] },
        { "c", true, [".gitignore", "CMakeLists.txt", "README.md", .. Generated, "include/acme/hello.h", "src/com_example_hello.c"] },
        { "rust", true, [".gitignore", "Cargo.toml", "README.md", .. Generated, "include/acme/hello.h", "src/lib.rs",
            "vendor/nplug-abi/Cargo.toml", "vendor/nplug-abi/src/lib.rs",
            "vendor/nplug-sdk/Cargo.toml", "vendor/nplug-sdk/README.md", "vendor/nplug-sdk/src/lib.rs", "vendor/nplug-sdk/src/sub/more.rs"] },
        { "csharp", true, [".gitignore", "ComExampleHello.cs", "ComExampleHello.csproj", "README.md", .. Generated, "include/acme/hello.h"] },
    };

    private static readonly string[] Generated =
    [
        "generated/c/hello_layout.g.h", "generated/csharp/Hello.Host.g.cs", "generated/csharp/Hello.Plugin.g.cs", "generated/csharp/Hello.Proxy.g.cs",
        "generated/csharp/Hello.g.cs", "generated/layout/hello.layout.g.json", "generated/rust/hello.rs",
    ];

    [Theory]
    [MemberData(nameof(FileSets))]
    public void Each_language_gets_its_file_set_with_every_placeholder_filled(string language, bool withInterface, string[] expected)
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string project = Path.Combine(dir.Path, "p");
        var (code, output, err) = New(dir, language, "com.example.hello", project, withInterface ? "acme.hello/1" : null);
        Assert.True(code == 0, err);
        Assert.Equal(expected.Order(StringComparer.Ordinal), Files(project));
        Assert.Contains($"created {project}", output);
        foreach (var file in Files(project).Where(f => !f.StartsWith("generated/", StringComparison.Ordinal)))
        {
            string text = File.ReadAllText(Path.Combine(project, file));
            Assert.False(text.Contains("{{", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(text, @"\{\{[A-Z][A-Z0-9_]*\}\}"),
                $"{file} has a placeholder left");
        }
        foreach (var xml in Files(project).Where(f => f.EndsWith(".csproj", StringComparison.Ordinal)))
            _ = System.Xml.Linq.XDocument.Load(Path.Combine(project, xml)); // well-formed (no "--" in a comment, say)
        string readme = File.ReadAllText(Path.Combine(project, "README.md"));
        Assert.Contains(withInterface ? "--interface generated/layout/hello.layout.g.json" : "nplug check", readme);
    }

    [Fact]
    public void Every_template_belongs_to_some_project()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var language in NewCommand.Languages)
            foreach (var prefix in new[] { $"{language}/common/", $"{language}/transform/", $"{language}/interface/", "contract/" })
                used.UnionWith(NewTemplates.All.Where(t => t.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Equal(NewTemplates.All.Order(StringComparer.Ordinal), used.Order(StringComparer.Ordinal));
        Assert.Contains("csharp/transform/{{CLASS}}.cs.in", NewTemplates.All); // not moved into a "cs" satellite assembly
    }

    [Fact]
    public void The_projects_name_the_packages_of_this_version()
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string version = File.ReadAllText(RepoLayout.RepoFile("interop/VERSION")).Trim();
        Assert.Equal(version, NewCommand.NplugVersion());
        Assert.Equal(0, New(dir, "csharp", "com.example.hello", dir.File("cs"), null).Code);
        string csproj = File.ReadAllText(dir.File("cs/ComExampleHello.csproj"));
        Assert.Contains($"<Sdk Name=\"NativePlugins.PluginSdk\" Version=\"{version}\" />", csproj);
        Assert.Contains("<NplugPluginMode>Aot</NplugPluginMode>", csproj);
        Assert.Contains("<TargetFramework>net10.0</TargetFramework>", csproj);
        Assert.Contains("[NativePlugin(\"com.example.hello\"", File.ReadAllText(dir.File("cs/ComExampleHello.cs")));
        Assert.Equal(0, New(dir, "c", "com.example.hello", dir.File("c"), null).Code);
        string majorMinor = string.Join('.', version.Split('.').Take(2));
        Assert.Contains($"find_package(NativePlugins {majorMinor} REQUIRED)", File.ReadAllText(dir.File("c/CMakeLists.txt")));
    }

    [Fact]
    public void Ids_with_double_dashes_still_give_well_formed_project_files()
    {
        // "--" may not appear in an XML comment; P2 allows it in ids.
        using var dir = new TempDirectory("nplug-new-tests");
        Assert.Equal(0, New(dir, "csharp", "com.example.x--y", dir.File("p"), "acme.a--b/1").Code);
        _ = System.Xml.Linq.XDocument.Load(dir.File("p/ComExampleXY.csproj"));
        Assert.True(File.Exists(dir.File("p/include/acme/a__b.h")));
    }

    [Fact]
    public void A_non_empty_folder_is_refused_unless_forced()
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string project = dir.File("p");
        Directory.CreateDirectory(project);
        Assert.Equal(0, New(dir, "c", "com.example.hello", project, null).Code); // empty: fine
        File.WriteAllText(Path.Combine(project, "mine.txt"), "keep");
        File.WriteAllText(Path.Combine(project, "CMakeLists.txt"), "changed");
        var (code, _, err) = New(dir, "c", "com.example.hello", project, null);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"{project} exists and is not empty (--force writes into it)", err);
        Assert.Equal("changed", File.ReadAllText(Path.Combine(project, "CMakeLists.txt")));
        Assert.Equal(0, New(dir, "c", "com.example.hello", project, null, "--force").Code);
        Assert.Contains("np_add_plugin", File.ReadAllText(Path.Combine(project, "CMakeLists.txt")));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(project, "mine.txt")));
        File.WriteAllText(dir.File("file"), "");
        Assert.Contains("is a file, not a folder", New(dir, "c", "com.example.hello", dir.File("file"), null).Err);
    }

    [Fact]
    public void Vendoring_points_the_sdk_at_its_sibling_and_leaves_tests_and_targets_out()
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string project = dir.File("p");
        Assert.Equal(0, New(dir, "rust", "com.example.hello", project, null).Code);
        string sdk = File.ReadAllText(Path.Combine(project, "vendor/nplug-sdk/Cargo.toml"));
        Assert.Contains("nplug-abi = { path = \"../nplug-abi\", version = \"1.2.0\" }", sdk);
        Assert.DoesNotContain("interop/bindings", sdk);
        string cargo = File.ReadAllText(Path.Combine(project, "Cargo.toml"));
        Assert.Contains("nplug-sdk = { path = \"vendor/nplug-sdk\" }", cargo);
        Assert.Contains("crate-type = [\"cdylib\"]", cargo);
        Assert.Contains("panic = \"unwind\"", cargo);
        Assert.Contains("exclude = [\"vendor\"]", cargo);
        Assert.Contains("nplug_sdk::export_plugins!(ComExampleHello);", File.ReadAllText(Path.Combine(project, "src/lib.rs")));
    }

    [Fact]
    public void The_crates_nplug_ships_can_be_vendored()
    {
        // The copies the CLI's project file puts next to nplug (and so next to this test assembly).
        var crates = NewRustCrates.Shipped(NewRustCrates.ShippedDir);
        Assert.Equal(["nplug-sdk", "nplug-abi"], crates.Select(c => c.Name));
        Assert.Contains("nplug-abi = { path = \"../nplug-abi\"", crates[0].Manifest);
        Assert.True(File.Exists(Path.Combine(crates[0].Source, "src", "lib.rs")));
        Assert.False(Directory.Exists(Path.Combine(crates[0].Source, "tests")), "tests/ stay in the repository");
    }

    [Fact]
    public void A_shipped_crate_that_inherits_from_a_workspace_is_refused_naming_the_line()
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string crates = FakeCrates(dir, "inheriting", sdkEdition: "edition.workspace = true");
        var (code, _, err) = Run(new NewOptions { Language = "rust", PluginId = "com.example.hello", Output = dir.File("p") }, crates);
        Assert.Equal(ExitCodes.IoError, code);
        Assert.Contains($"{Path.Combine(crates, "nplug-sdk", "Cargo.toml")}:4: `edition.workspace = true` inherits from the Cargo workspace", err);
        Assert.False(Directory.Exists(dir.File("p")), "nothing is written when the crates cannot be vendored");
    }

    [Fact]
    public void Rust_sdk_uses_existing_crates_by_path()
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string crates = FakeCrates(dir, "standalone", sdkEdition: "edition = \"2024\"");
        string sdk = Path.Combine(crates, "nplug-sdk");
        var (code, _, err) = Nplug("new", "rust", "com.example.hello", "--interface", "acme.hello/1", "--rust-sdk", sdk, "--output", dir.File("p"));
        Assert.True(code == 0, err);
        string cargo = File.ReadAllText(dir.File("p/Cargo.toml"));
        Assert.Contains($"nplug-sdk = {{ path = \"{sdk}\" }}", cargo);
        Assert.Contains($"nplug-abi = {{ path = \"{Path.Combine(crates, "nplug-abi")}\" }}", cargo);
        Assert.False(Directory.Exists(dir.File("p/vendor")));
        var (bad, _, badErr) = Nplug("new", "rust", "com.example.hello", "--rust-sdk", crates, "--output", dir.File("q"));
        Assert.Equal(ExitCodes.Usage, bad);
        Assert.Contains("no Cargo.toml there", badErr);
    }

    [Fact]
    public void Rust_sdk_of_a_packaged_crate_patches_its_registry_dependency_on_nplug_abi()
    {
        // cargo package writes nplug-sdk's dependency as a table with a version and no path.
        using var dir = new TempDirectory("nplug-new-tests");
        Directory.CreateDirectory(dir.File("crates/nplug-sdk"));
        Directory.CreateDirectory(dir.File("crates/nplug-abi"));
        File.WriteAllText(dir.File("crates/nplug-sdk/Cargo.toml"),
            "[package]\nname = \"nplug-sdk\"\nversion = \"0.2.0\"\n\n[dependencies.nplug-abi]\nversion = \"0.2.0\"\n");
        File.WriteAllText(dir.File("crates/nplug-abi/Cargo.toml"), "[package]\nname = \"nplug-abi\"\nversion = \"0.2.0\"\n");
        var (code, _, err) = Nplug("new", "rust", "com.example.hello", "--rust-sdk", dir.File("crates/nplug-sdk"), "--output", dir.File("p"));
        Assert.True(code == 0, err);
        string cargo = File.ReadAllText(dir.File("p/Cargo.toml"));
        Assert.Contains($"[patch.crates-io]\nnplug-abi = {{ path = \"{dir.File("crates/nplug-abi")}\" }}", cargo);
        File.Delete(dir.File("crates/nplug-abi/Cargo.toml"));
        var (missing, _, missingErr) = Nplug("new", "rust", "com.example.hello", "--rust-sdk", dir.File("crates/nplug-sdk"), "--output", dir.File("q"));
        Assert.Equal(ExitCodes.Usage, missing);
        Assert.Contains("no nplug-abi crate next to it", missingErr);
        Assert.Contains("names nplug-abi by version only", missingErr);
    }

    [Fact]
    public void The_c_transform_compiles_against_the_sdk_and_passes_nplug_check()
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string project = dir.File("p");
        Assert.Equal(0, New(dir, "c", "com.example.hello", project, null).Code);
        string library = CompileC(project, "com_example_hello", []);
        var results = CheckPasses(library, []);
        Assert.Contains(results, r => r.Name == "lifecycle.basic" && r.Verdict == "pass");
    }

    [Fact]
    public void The_c_plugin_of_an_interface_compiles_and_passes_nplug_check_with_its_manifest()
    {
        using var dir = new TempDirectory("nplug-new-tests");
        string project = dir.File("p");
        Assert.Equal(0, New(dir, "c", "com.example.hello", project, "acme.hello/1").Code);
        string library = CompileC(project, "com_example_hello", ["include", "generated/c"]);
        var results = CheckPasses(library, ["--interface", Path.Combine(project, "generated/layout/hello.layout.g.json")]);
        Assert.Contains(results, r => r.Name == "interface.lifecycle" && r.Verdict == "pass");
        // bindgen ran in the project: its banners and the README give the same relative command, which regenerates
        // generated/ from the project folder.
        string command = NativePlugins.Generator.Bindgen.Bindgen.CommandLine(InterfaceNames.FromId("acme.hello/1").BindgenArguments);
        Assert.Equal("nplug bindgen include/acme/hello.h --include include --csharp-namespace Acme.Hello --rust-module hello --out generated", command);
        Assert.Contains($"Regenerate with: {command}", File.ReadAllText(Path.Combine(project, "generated/c/hello_layout.g.h")));
        Assert.Contains(command, File.ReadAllText(Path.Combine(project, "README.md")));
    }

    private static (int Code, string Out, string Err) New(TempDirectory dir, string language, string id, string output, string? iface,
        params string[] more)
    {
        var crates = FakeCrates(dir, "standalone", sdkEdition: "edition = \"2024\"");
        var o = new NewOptions { Language = language, PluginId = id, Output = output, Interface = iface, Force = more.Contains("--force") };
        return Run(o, crates);
    }

    private static (int Code, string Out, string Err) Run(NewOptions o, string crates)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code;
        using (var console = new CliConsole(new MemoryStream(), stdout, stderr))
        {
            // The verb's own error handling, as NplugCli applies it.
            try { code = NewCommand.Run(o, console, crates); }
            catch (UsageException e) { stderr.WriteLine(e.Message); code = ExitCodes.Usage; }
            catch (IOException e) { stderr.WriteLine(e.Message); code = ExitCodes.IoError; }
            console.Out.Flush();
        }
        return (code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    /// <summary>Stand-ins for the crates nplug ships: an nplug-sdk whose dependency on nplug-abi points where it is
    /// in this repository (vendoring must repoint it), a README, a nested source and tests/ and target/ that stay out.</summary>
    private static string FakeCrates(TempDirectory dir, string label, string sdkEdition)
    {
        string root = dir.File("crates-" + label);
        if (Directory.Exists(root)) return root;
        void Write(string path, string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.WriteAllText(Path.Combine(root, path), text);
        }
        Write("nplug-sdk/Cargo.toml", $"[package]\nname = \"nplug-sdk\"\nversion = \"0.2.0\"\n{sdkEdition}\n\n[dependencies]\n" +
            "nplug-abi = { path = \"../../../interop/bindings/rust\", version = \"1.2.0\" }\n");
        Write("nplug-sdk/README.md", "sdk");
        Write("nplug-sdk/src/lib.rs", "");
        Write("nplug-sdk/src/sub/more.rs", "");
        Write("nplug-sdk/tests/t.rs", "");
        Write("nplug-sdk/target/junk", "");
        Write("nplug-abi/Cargo.toml", "[package]\nname = \"nplug-abi\"\nversion = \"1.2.0\"\nedition = \"2021\"\n\n[workspace]\n");
        Write("nplug-abi/src/lib.rs", "");
        return root;
    }

    /// <summary>cc as the C SDK's README builds a plugin without CMake: this repository's headers, the built static
    /// SDK, hidden visibility, np_entry pulled in, no undefined symbols, every warning an error.</summary>
    private static string CompileC(string project, string name, string[] includes)
    {
        string library = Path.Combine(project, $"lib{name}.so");
        string sdk = RepoLayout.Existing(Path.Combine(RepoLayout.BuildDir, "native", "c-sdk", "libnp_c_sdk.a"));
        var psi = new ProcessStartInfo("cc") { WorkingDirectory = project, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-std=c11", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fPIC", "-shared", "-fvisibility=hidden",
                     "-I", Path.Combine(RepoLayout.RepoRoot, "interop", "include"), "-I", Path.Combine(RepoLayout.RepoRoot, "native", "c-sdk", "include") })
            psi.ArgumentList.Add(a);
        foreach (var i in includes) { psi.ArgumentList.Add("-I"); psi.ArgumentList.Add(i); }
        foreach (var a in new[] { $"src/{name}.c", sdk, "-Wl,--undefined=np_entry", "-Wl,--no-undefined", "-o", library })
            psi.ArgumentList.Add(a);
        using var cc = Process.Start(psi)!;
        string errors = cc.StandardError.ReadToEnd() + cc.StandardOutput.ReadToEnd();
        cc.WaitForExit();
        Assert.True(cc.ExitCode == 0, $"cc failed on the generated {name}.c:\n{errors}");
        return library;
    }

    private sealed record Result(string Name, string Verdict, string Summary);

    private static List<Result> CheckPasses(string library, string[] more)
    {
        var (code, output, err) = Nplug(["check", "--in-process", "--json", library, .. more]);
        Assert.True(code == 0, err + output);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(0, doc.RootElement.GetProperty("failed").GetInt32());
        return doc.RootElement.GetProperty("libraries")[0].GetProperty("results").EnumerateArray()
            .Select(r => new Result(r.GetProperty("check").GetString()!, r.GetProperty("verdict").GetString()!,
                r.TryGetProperty("summary", out var s) ? s.GetString() ?? "" : "")).ToList();
    }
}
