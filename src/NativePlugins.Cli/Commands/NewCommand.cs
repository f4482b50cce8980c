using System.Reflection;
using System.Text;
using NativePlugins.Cli.Infrastructure;
using NativePlugins.Cli.Options;
using NativePlugins.Generator.Bindgen;

namespace NativePlugins.Cli.Commands;

/// <summary>
/// <c>nplug new c|rust|csharp &lt;plugin-id&gt;</c>: writes a plugin project that builds with its ecosystem's own
/// command against the installed packages (CMake package, nplug-sdk crate, NativePlugins.PluginSdk NuGet package)
/// and passes <c>nplug check</c> as it is. The files are the templates of Templates/ (<see cref="NewTemplates"/>);
/// with <c>--interface</c>, the project also gets a starter contract header and bindgen's bindings for it, made by
/// the same code as <c>nplug bindgen</c>.
/// </summary>
internal static class NewCommand
{
    public static readonly IReadOnlyList<string> Languages = ["c", "rust", "csharp"];

    public static int Run(NewOptions o, CliConsole console) => Run(o, console, NewRustCrates.ShippedDir);

    /// <param name="rustCratesDir">Where nplug's own copies of the Rust crates are (tests pass their own).</param>
    public static int Run(NewOptions o, CliConsole console, string rustCratesDir)
    {
        string language = o.Language;
        if (!Languages.Contains(language))
            throw new UsageException($"new: unknown language '{language}' (one of: {string.Join(", ", Languages)})");
        var plugin = PluginNames.FromId(o.PluginId);
        var contract = o.Interface is null ? null : InterfaceNames.FromId(o.Interface);
        // The plugin's type sits next to bindgen's names of the interface (Rust: one namespace for both).
        if (contract is not null && new[] { contract.TypeName, contract.TypeName + "Interface", "I" + contract.TypeName,
                contract.TypeName + "Contract", contract.TypeName + "Exports" }.Contains(plugin.TypeName))
            throw new UsageException($"new: plugin id '{plugin.Id}' gives the type name {plugin.TypeName}, which the " +
                $"bindings of {contract.Id} use; choose another plugin id");
        if (o.RustSdk is not null && language != "rust")
            throw new UsageException("new: --rust-sdk is for rust projects only");

        string output = Path.GetFullPath(o.Output ?? plugin.Name);
        if (File.Exists(output)) throw new UsageException($"new: {output} is a file, not a folder");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !o.Force)
            throw new UsageException($"new: {output} exists and is not empty (--force writes into it)");

        // Everything that can fail is checked before the first file is written.
        string version = NplugVersion();
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PLUGIN_ID"] = plugin.Id,
            ["NAME"] = plugin.Name,
            ["CLASS"] = plugin.TypeName,
            ["NAMESPACE"] = plugin.Namespace,
            ["NPLUG_VERSION"] = version,
            ["NPLUG_VERSION_MAJOR_MINOR"] = string.Join('.', version.Split('.').Take(2)),
        };
        if (contract is not null)
        {
            values["IFACE_ID"] = contract.Id;
            values["IFACE_PREFIX"] = contract.Prefix;
            values["IFACE_PREFIX_UPPER"] = contract.Prefix.ToUpperInvariant();
            values["IFACE_STEM"] = contract.Stem;
            values["IFACE_C"] = contract.CName;
            values["IFACE_C_UPPER"] = contract.CName.ToUpperInvariant();
            values["IFACE_VTABLE"] = contract.VTable;
            values["IFACE_VTABLE_UPPER"] = contract.VTable.ToUpperInvariant();
            values["IFACE_PASCAL"] = contract.TypeName;
            values["IFACE_NAMESPACE"] = contract.Namespace;
            values["IFACE_RUST_MODULE"] = contract.RustModule;
            values["BINDGEN_COMMAND"] = Bindgen.CommandLine(contract.BindgenArguments);
        }
        IReadOnlyList<NewRustCrates.VendoredCrate> vendored = [];
        if (language == "rust")
        {
            string sdkPath = "vendor/" + NewRustCrates.Sdk, abiPath = "vendor/" + NewRustCrates.Abi;
            bool patchAbi = false;
            if (o.RustSdk is not null)
            {
                var existing = NewRustCrates.Existing(o.RustSdk, interfaceNeedsAbi: contract is not null);
                (sdkPath, abiPath, patchAbi) = (existing.Sdk, existing.Abi ?? "", existing.AbiFromRegistry);
                values["RUST_SDK_NOTE"] = $"The crates nplug-sdk and nplug-abi are used from `{existing.Sdk}` and next to it " +
                    "(`nplug new --rust-sdk`); change the paths in Cargo.toml when they move.";
            }
            else
            {
                vendored = NewRustCrates.Shipped(rustCratesDir);
                values["RUST_SDK_NOTE"] = $"`vendor/` holds the crates nplug-sdk and nplug-abi as nplug {version} ships them " +
                    "(`nplug new` copied them), so the project builds offline without a registry; commit them with it.";
            }
            var deps = new StringBuilder($"nplug-sdk = {{ path = {TomlString(sdkPath)} }}\n");
            if (contract is not null)
                deps.Append($"# The generated declarations (generated/rust) name nplug_abi's types.\nnplug-abi = {{ path = {TomlString(abiPath)} }}\n");
            if (patchAbi)
                deps.Append($"\n# That nplug-sdk names nplug-abi by version, as from a registry: take it from the folder next to it.\n" +
                    $"[patch.crates-io]\nnplug-abi = {{ path = {TomlString(abiPath)} }}\n");
            values["RUST_DEPENDENCIES"] = deps.ToString();
        }
        var files = NewTemplates.Expand(language, contract is not null, values);

        Directory.CreateDirectory(output);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        foreach (var file in files)
        {
            string path = Path.Combine(output, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Text, utf8);
        }
        foreach (var crate in vendored) NewRustCrates.Copy(crate, Path.Combine(output, "vendor", crate.Name));
        if (contract is not null)
        {
            // bindgen's own code path on the header just written, run in the project so its banners name the
            // relative command the README gives. Its file list goes to stdout like the verb's.
            int code = BindgenCommand.Run(contract.BindgenArguments, console, output);
            if (code != ExitCodes.Ok)
                throw new InvalidOperationException($"bindgen failed ({code}) on the starter header {contract.HeaderPath} (above)");
        }

        console.Out.WriteLine($"nplug new: created {output}: {PluginKind(contract)} {plugin.Id} in {language}, library lib{plugin.Name}.so");
        console.Out.WriteLine($"  next: cd {Quote(output)} and see README.md ({BuildHint(language)})");
        return ExitCodes.Ok;
    }

    private static string PluginKind(InterfaceNames? contract) => contract is null ? "np.transform/1 plugin" : $"{contract.Id} plugin";

    private static string BuildHint(string language) => language switch
    {
        "c" => "cmake -S . -B build -DCMAKE_PREFIX_PATH=<nativeplugins-prefix> && cmake --build build",
        "rust" => "cargo build --release --offline",
        _ => "dotnet publish -c Release -o out",
    };

    /// <summary>nplug's own version (interop/VERSION through $(Version)): the NuGet package version a C# project
    /// references and the CMake package version a C project asks for. The informational version may carry
    /// "+&lt;commit&gt;"; the package version does not.</summary>
    public static string NplugVersion()
    {
        string v = typeof(NewCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? throw new InvalidOperationException("nplug has no informational version");
        int plus = v.IndexOf('+');
        return plus < 0 ? v : v[..plus];
    }

    /// <summary>A TOML basic string.</summary>
    private static string TomlString(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Quote(string path) => path.Contains(' ') ? $"'{path}'" : path;
}
