// Rule I7 of interop/interfaces.md: every name a contract header adds (struct typedefs and tags, typedefs, macros,
// include guards included) starts with the header's own prefix, the first label of its interface ids (`acme_`,
// `ACME_` for acme.greeter/1), and never with the ABI's np_/NP_. Generated bindings put the contract's names next
// to the ABI's in one namespace (C), one crate (Rust) and one project (C#), so a clash must be impossible.
using NativePlugins.Generator.Model;
using NativePlugins.Generator.Parsing;

namespace NativePlugins.Generator.Bindgen;

internal static class NamePrefixRule
{
    public static void Check(ParsedHeaders parsed, IReadOnlyList<InterfaceModel> interfaces)
    {
        var prefixes = interfaces.Select(i => InterfaceIds.Prefix(i.Id)).Distinct().ToList();
        string allowed = string.Join(" or ", prefixes.Select(p => $"{p}_ / {p.ToUpperInvariant()}_"));
        var names = parsed.Sites.Names.Where(n => n.Kind != DeclarationKind.Field)
            .Concat(parsed.Model.Structs.Where(s => s.Tag != s.Name)
                .Select(s => new DeclaredName(s.Tag, DeclarationKind.Struct, parsed.Sites.Struct(s.Name))));
        foreach (var n in names)
        {
            if (n.Name.StartsWith("np_", StringComparison.OrdinalIgnoreCase))
                throw Refusal.At(n.Site, 7, $"`{n.Name}`: np_/NP_ names belong to the ABI (nplug/nplug.h); name it {allowed}...");
            if (!prefixes.Any(p => n.Name.StartsWith(p + "_", StringComparison.Ordinal) ||
                                   n.Name.StartsWith(p.ToUpperInvariant() + "_", StringComparison.Ordinal)))
                throw Refusal.At(n.Site, 7, $"`{n.Name}` does not start with the header's prefix {allowed} (the first label of " +
                                            $"its interface id{(interfaces.Count > 1 ? "s" : "")}: {string.Join(", ", interfaces.Select(i => i.Id))})");
        }
    }
}
