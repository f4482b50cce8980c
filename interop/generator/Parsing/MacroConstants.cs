// Decides which #define is an ABI constant and what its value and type are. A constant is a macro whose body is
// exactly one integer literal (optionally negated, optionally parenthesized), one string literal, or the name of
// another constant. Everything else (include guards, NP_CDECL, NP_EXPORT, NP_EXTERN_C, function-like macros such
// as NP_HAS_FIELD) is skipped, and the skip is reported with its reason.
using System.Globalization;
using System.Numerics;
using System.Text;
using NativePlugins.Generator.Clang;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Parsing;

internal readonly record struct MacroToken(int Kind, string Text);

internal static class MacroConstants
{
    /// <summary>Result of classifying one macro: a constant, or the reason it is not one.</summary>
    public readonly record struct Classification(AbiConstant? Constant, string? SkipReason);

    public static Classification Classify(string name, IReadOnlyList<MacroToken> body, string header, string doc,
        IReadOnlyDictionary<string, AbiConstant> known)
    {
        var t = body;
        if (t.Count == 0) return new(null, "expands to nothing (include guard, or a marker such as NP_CDECL on this platform)");
        // Strip one level of parentheses: (-1) and (1u).
        if (t.Count >= 3 && t[0].Text == "(" && t[^1].Text == ")") t = t.Skip(1).Take(t.Count - 2).ToList();
        bool negative = false;
        if (t.Count == 2 && t[0].Text == "-") { negative = true; t = t.Skip(1).ToList(); }
        if (t.Count != 1) return new(null, $"not a plain constant: `{string.Join(" ", body.Select(x => x.Text))}`");
        var token = t[0];
        if (token.Kind == TokenKind.Identifier)
        {
            if (!negative && known.TryGetValue(token.Text, out var target))
                return new(target with { Name = name, Header = header, Doc = doc }, null);
            return new(null, $"refers to `{token.Text}`, which is not a constant");
        }
        if (token.Kind != TokenKind.Literal) return new(null, $"not a literal: `{token.Text}`");
        if (token.Text.StartsWith('"'))
        {
            if (negative) throw new GeneratorException($"{header}: {name}: a string cannot be negated");
            return new(new AbiConstant(name, ConstantKind.String, UnescapeString(name, header, token.Text), header, doc), null);
        }
        return new(IntegerConstant(name, token.Text, negative, header, doc), null);
    }

    private static AbiConstant IntegerConstant(string name, string literal, bool negative, string header, string doc)
    {
        int suffixStart = literal.Length;
        while (suffixStart > 0 && "uUlL".Contains(literal[suffixStart - 1])) suffixStart--;
        string digits = literal[..suffixStart];
        string suffix = literal[suffixStart..].ToLowerInvariant();
        if (suffix is not ("" or "u" or "l" or "ul" or "lu" or "ll" or "ull" or "llu"))
            throw new GeneratorException($"{header}: {name}: unsupported integer suffix in `{literal}`");
        BigInteger value;
        bool isDecimal = true;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            isDecimal = false;
        }
        else if (digits.Length > 1 && digits[0] == '0')
        {
            value = digits[1..].Aggregate(BigInteger.Zero, (acc, c) => c is >= '0' and <= '7'
                ? acc * 8 + (c - '0')
                : throw new GeneratorException($"{header}: {name}: bad octal literal `{literal}`"));
            isDecimal = false;
        }
        else if (!BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            throw new GeneratorException($"{header}: {name}: unsupported literal `{literal}` (integer and string literals only)");
        }
        bool unsigned = suffix.Contains('u');
        bool wide = suffix.Contains('l');
        if (negative && unsigned) throw new GeneratorException($"{header}: {name}: a negated unsigned literal `-{literal}`");
        if (negative) value = -value;

        // C's rules, restricted to fixed widths: the first of int32, (uint32 for hex/octal), int64, (uint64) that holds
        // the value; a `u` suffix starts at uint32, an `l`/`ll` suffix at 64 bits.
        ConstantKind[] candidates = (unsigned, wide) switch
        {
            (true, true) => [ConstantKind.UInt64],
            (true, false) => [ConstantKind.UInt32, ConstantKind.UInt64],
            (false, true) => isDecimal ? [ConstantKind.Int64] : [ConstantKind.Int64, ConstantKind.UInt64],
            (false, false) => isDecimal
                ? [ConstantKind.Int32, ConstantKind.Int64]
                : [ConstantKind.Int32, ConstantKind.UInt32, ConstantKind.Int64, ConstantKind.UInt64],
        };
        foreach (var kind in candidates)
            if (Fits(value, kind))
                return new AbiConstant(name, kind, literal, header, doc) { Integer = value };
        throw new GeneratorException($"{header}: {name}: `{literal}` does not fit a 64-bit integer");
    }

    public static bool Fits(BigInteger value, ConstantKind kind) => kind switch
    {
        ConstantKind.Int32 => value >= int.MinValue && value <= int.MaxValue,
        ConstantKind.UInt32 => value >= 0 && value <= uint.MaxValue,
        ConstantKind.Int64 => value >= long.MinValue && value <= long.MaxValue,
        ConstantKind.UInt64 => value >= 0 && value <= ulong.MaxValue,
        _ => false,
    };

    /// <summary>Decodes a C string literal. Only printable ASCII and the simple escapes are accepted: an ABI id is
    /// plain ASCII, and anything else is more likely a mistake than intent.</summary>
    private static string UnescapeString(string name, string header, string literal)
    {
        if (literal.Length < 2 || literal[0] != '"' || literal[^1] != '"')
            throw new GeneratorException($"{header}: {name}: only plain \"...\" string literals are supported, got {literal}");
        var sb = new StringBuilder();
        for (int i = 1; i < literal.Length - 1; i++)
        {
            char c = literal[i];
            if (c == '\\')
            {
                char e = literal[++i];
                sb.Append(e switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    '\'' => '\'',
                    'n' => '\n',
                    't' => '\t',
                    _ => throw new GeneratorException($"{header}: {name}: unsupported escape \\{e} in {literal}"),
                });
            }
            else if (c < 0x20 || c > 0x7e)
            {
                throw new GeneratorException($"{header}: {name}: non-ASCII character in {literal}");
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
