// Where each declaration of a user's headers was written: the file (as the user named it on the command line), the
// line, the lines of its doc comment and its `@since` tag. `nplug bindgen` refuses a header by naming the file, line
// and rule (interop/interfaces.md), and its rules are checked after parsing, on the model, so the model's
// declarations need a way back to their source text.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Parsing;

/// <summary>An <c>@since R.M</c> tag as written: R is checked against the interface revision after parsing.</summary>
public sealed record SinceTagSite(uint Revision, uint Minor, int Line);

/// <summary>One declaration's place in its header.</summary>
/// <param name="File">The header as the user named it (the path on the command line).</param>
/// <param name="Line">The line of the declaration's name (1-based).</param>
/// <param name="DocFirstLine">First line of its doc comment, or 0 without one.</param>
/// <param name="DocLastLine">Last line of its doc comment, or 0 without one.</param>
/// <param name="Since">Its own <c>@since</c> tag, or null when it has none (it inherits its struct's).</param>
public sealed record SourceSite(string File, int Line, int DocFirstLine, int DocLastLine, SinceTagSite? Since)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>What kind of declaration a <see cref="DeclaredName"/> is.</summary>
public enum DeclarationKind { Struct, Field, Typedef, Macro }

/// <summary>A name a user header adds (rule I7 checks every one, constants or not).</summary>
public sealed record DeclaredName(string Name, DeclarationKind Kind, SourceSite Site);

/// <summary>The sites of every declaration of the user's headers, by name.</summary>
public sealed class DeclarationSites
{
    private readonly Dictionary<string, SourceSite> _structs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Struct, string Field), SourceSite> _fields = new();
    private readonly List<DeclaredName> _names = [];

    /// <summary>Every declared name in source order: structs, their fields, typedefs and macros.</summary>
    public IReadOnlyList<DeclaredName> Names => _names;

    /// <summary>The user headers: display name and every line of text, for checks that read tags in the text.</summary>
    public IReadOnlyList<(string File, string[] Lines)> Headers { get; internal set; } = [];

    internal void AddStruct(string name, SourceSite site)
    {
        _structs[name] = site;
        _names.Add(new DeclaredName(name, DeclarationKind.Struct, site));
    }

    internal void AddField(string structName, string field, SourceSite site)
    {
        _fields[(structName, field)] = site;
        _names.Add(new DeclaredName(field, DeclarationKind.Field, site));
    }

    internal void Add(string name, DeclarationKind kind, SourceSite site) => _names.Add(new DeclaredName(name, kind, site));

    /// <summary>The site of a struct typedef (its definition, or the typedef of an opaque struct).</summary>
    public SourceSite Struct(string name) =>
        _structs.TryGetValue(name, out var site) ? site : throw new KeyNotFoundException($"no site recorded for struct {name}");

    /// <summary>The site of one field.</summary>
    public SourceSite Field(string structName, string field) =>
        _fields.TryGetValue((structName, field), out var site)
            ? site
            : throw new KeyNotFoundException($"no site recorded for {structName}.{field}");
}

/// <summary>What the parser read from a user's headers: the declarations and where each was written.</summary>
public sealed record ParsedHeaders(AbiModel Model, DeclarationSites Sites);
