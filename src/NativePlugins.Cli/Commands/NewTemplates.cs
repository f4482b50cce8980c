using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace NativePlugins.Cli.Commands;

/// <summary>
/// The project templates of <c>nplug new</c>: the files under Templates/ (Templates/README.md), embedded in nplug as
/// resources named by their path. A project of language L and kind K (transform or interface) gets
/// <c>L/common/**</c>, <c>L/K/**</c> and, for an interface, <c>contract/**</c>; each file's path below that folder,
/// without its <c>.in</c> suffix, is its path in the project (a leading <c>_</c> in a file name becomes <c>.</c>, so the
/// templates hold no dotfiles that git or a tool would act on). <c>{{KEY}}</c> in paths and contents is replaced by
/// the key's value; a key without a value is a bug of nplug and fails loudly instead of leaving braces in a project.
/// </summary>
internal static partial class NewTemplates
{
    private const string Root = "Templates/";

    /// <summary>A file to write: its path relative to the project (forward slashes) and its text.</summary>
    public sealed record ProjectFile(string Path, string Text);

    [GeneratedRegex(@"\{\{([A-Z][A-Z0-9_]*)\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Every template resource's name below <c>Templates/</c>.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(NewTemplates).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Root, StringComparison.Ordinal)).Select(n => n[Root.Length..]).Order(StringComparer.Ordinal).ToList();

    /// <summary>The expanded files of a project.</summary>
    public static IReadOnlyList<ProjectFile> Expand(string language, bool withInterface, IReadOnlyDictionary<string, string> values)
    {
        string[] folders = withInterface ? [$"{language}/common/", $"{language}/interface/", "contract/"]
                                         : [$"{language}/common/", $"{language}/transform/"];
        var files = new List<ProjectFile>();
        foreach (string folder in folders)
            foreach (string name in All.Where(n => n.StartsWith(folder, StringComparison.Ordinal)))
            {
                string relative = name[folder.Length..];
                if (!relative.EndsWith(".in", StringComparison.Ordinal))
                    throw new InvalidOperationException($"template {Root}{name} does not end in .in");
                relative = relative[..^3];
                int slash = relative.LastIndexOf('/') + 1;
                if (relative[slash] == '_') relative = relative[..slash] + "." + relative[(slash + 1)..];
                files.Add(new ProjectFile(Substitute(relative, values, name), Substitute(Read(name), values, name)));
            }
        if (files.Count == 0) throw new InvalidOperationException($"no templates for {language} (nplug was built without them)");
        return files;
    }

    /// <summary>Replaces every <c>{{KEY}}</c> of <paramref name="text"/>.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> values, string template) =>
        Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var v)
            ? v
            : throw new InvalidOperationException($"template {Root}{template}: no value for {m.Value}"));

    private static string Read(string name)
    {
        using var stream = typeof(NewTemplates).Assembly.GetManifestResourceStream(Root + name)!;
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        return reader.ReadToEnd();
    }
}
