// Interface ids as rule P2 of interop/README.md defines them (`^[a-z0-9]+(\.[a-z0-9_-]+)*/[1-9][0-9]*$`, at most 128
// bytes), and the names bindgen derives from one. The generator does not reference NativePlugins.Interop (it must run
// before the bindings exist), so the check is restated here; the tests pin it against NpDescriptorRules.
namespace NativePlugins.Generator.Bindgen;

public static class InterfaceIds
{
    public const int MaxBytes = 128;

    public static bool IsValid(string id)
    {
        if (id.Length == 0 || id.Length > MaxBytes) return false;
        int slash = id.LastIndexOf('/');
        if (slash <= 0 || slash == id.Length - 1) return false;
        var labels = id[..slash].Split('.');
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i].Length == 0) return false;
            foreach (char c in labels[i])
                if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' || (i > 0 && c is '_' or '-'))) return false;
        }
        string revision = id[(slash + 1)..];
        return revision[0] is >= '1' and <= '9' && revision.All(c => c is >= '0' and <= '9');
    }

    /// <summary>The revision: the number after the slash of a valid id.</summary>
    public static uint Revision(string id) => uint.Parse(id.AsSpan(id.LastIndexOf('/') + 1), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The prefix every declaration of the header starts with (rule I7): the id's first label
    /// (<c>acme.greeter/1</c>: <c>acme_</c> and <c>ACME_</c>).</summary>
    public static string Prefix(string id) => id[..id.IndexOfAny(['.', '/'])];

    /// <summary>The default C# namespace: the labels of the id's name, PascalCase (<c>acme.greeter/1</c>:
    /// <c>Acme.Greeter</c>; <c>_</c> and <c>-</c> separate words).</summary>
    public static string DefaultNamespace(string id) =>
        string.Join('.', id[..id.LastIndexOf('/')].Split('.').Select(Pascal));

    /// <summary>snake_case or kebab-case words to PascalCase (<c>acme_greeter_v1</c>: <c>AcmeGreeterV1</c>).</summary>
    public static string Pascal(string words)
    {
        var parts = words.Split(['_', '-'], StringSplitOptions.RemoveEmptyEntries);
        string joined = string.Concat(parts.Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        return joined.Length > 0 && char.IsAsciiDigit(joined[0]) ? "_" + joined : joined;
    }
}
