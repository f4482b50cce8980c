// Turns a user's contract headers into the ContractModel every bindgen emitter consumes: parses them (rules I1/I2
// are the parser's A1/A2 checks, in user mode), reads the @interface vtables (I2-I6, InterfaceReader) and checks
// the names (I7). The first refusal stops the run; its message names file, line and rule.
using NativePlugins.Generator.Model;
using NativePlugins.Generator.Parsing;

namespace NativePlugins.Generator.Bindgen;

/// <summary>What a bindgen run was asked for (interop/interfaces.md, section 2).</summary>
/// <param name="Headers">The contract's headers as given.</param>
/// <param name="IncludeDirs">The <c>--include</c> directories.</param>
/// <param name="AbiIncludeDir">The folder holding the ABI's <c>nplug/</c> headers.</param>
/// <param name="CSharpNamespace">The <c>--csharp-namespace</c>, or null for the default.</param>
/// <param name="RustModule">The <c>--rust-module</c>, or null for the default.</param>
/// <param name="CommandLine">The command that regenerates the output (for the banners).</param>
public sealed record BindgenRequest(
    IReadOnlyList<string> Headers,
    IReadOnlyList<string> IncludeDirs,
    string AbiIncludeDir,
    string? CSharpNamespace,
    string? RustModule,
    string CommandLine);

public static class ContractBuilder
{
    public static ContractModel Build(BindgenRequest request, TextWriter? log = null)
    {
        var parsed = new HeaderParser(request.Headers, request.IncludeDirs, request.AbiIncludeDir, log ?? TextWriter.Null).ParseUserHeaders();
        var interfaces = InterfaceReader.Read(parsed);
        NamePrefixRule.Check(parsed, interfaces);

        string stem = Path.GetFileNameWithoutExtension(request.Headers[0]);
        string ns = request.CSharpNamespace ?? InterfaceIds.DefaultNamespace(interfaces[0].Id);
        if (!IsCSharpNamespace(ns))
            throw new GeneratorException($"--csharp-namespace `{ns}` is not a C# namespace (identifiers separated by dots)");
        string module = request.RustModule ?? RustModuleName(stem);
        if (!IsRustIdentifier(module))
            throw new GeneratorException($"--rust-module `{module}` is not a Rust module name (lower-case letters, digits, _)");
        var headers = request.Headers.Select(Path.GetFullPath).ToList();
        return new ContractModel(headers, stem, parsed.Model, interfaces, ns, module, request.CommandLine);
    }

    private static bool IsCSharpNamespace(string ns) =>
        ns.Split('.').All(p => p.Length > 0 && (char.IsAsciiLetter(p[0]) || p[0] == '_') && p.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));

    private static bool IsRustIdentifier(string s) =>
        s.Length > 0 && (char.IsAsciiLetterLower(s[0]) || s[0] == '_') && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') &&
        s != "_";

    /// <summary>A file stem as a Rust module name: lower case, anything but letters and digits becomes `_`.</summary>
    private static string RustModuleName(string stem)
    {
        var chars = stem.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        string name = new(chars);
        return name.Length > 0 && char.IsAsciiDigit(name[0]) ? "_" + name : name;
    }
}
