using System.Globalization;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Isolation;

/// <summary>The kind of a parameter or return value in a signature description (npw_protocol.h, NPW_OP_CALL_CREATE).</summary>
internal enum ProxyKind
{
    Void,
    Status,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    Self,
    Pair,
    OutBytes,
    OutScalar,
    Error,
}

/// <summary>One parameter: its kind (and an out_* pointer's integer).</summary>
internal readonly record struct ProxyParameter(ProxyKind Kind, ProxyKind Pointee);

/// <summary>One function of a signature description: the worker calls it from the same line.</summary>
internal sealed record ProxyFunction(string Name, uint Offset, bool Required, NativeFunctionRole Role, ProxyKind Return,
    ProxyParameter[] Parameters);

/// <summary>
/// The host's reading of a signature description that <c>nplug bindgen</c> wrote (the worker parses the same text in
/// npw_call_signature.c: one description, two readers). Checked against the contract once, when the proxy is made,
/// so a description that does not match its contract fails at start-up, not in a call.
/// </summary>
internal static class ProxySignature
{
    public static ProxyFunction[] Parse(NativeInterfaceContract contract, string description)
    {
        var lines = description.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != contract.Functions.Count)
            throw new ArgumentException(
                $"{contract.Id}: the proxy describes {lines.Length} functions, the contract has {contract.Functions.Count}: regenerate with nplug bindgen",
                nameof(description));
        var functions = new ProxyFunction[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ');
            var f = contract.Functions[i];
            if (parts.Length < 4 || parts[0] != f.Name || uint.Parse(parts[1], CultureInfo.InvariantCulture) != f.Offset)
                throw new ArgumentException($"{contract.Id}: proxy line {i + 1} ('{lines[i]}') does not describe {f.Name} at offset {f.Offset}",
                    nameof(description));
            var role = parts[3] switch
            {
                "@create" => NativeFunctionRole.Create,
                "@destroy" => NativeFunctionRole.Destroy,
                _ => NativeFunctionRole.Method,
            };
            var ps = role == NativeFunctionRole.Method ? parts[4..].Select(Parameter).ToArray() : [];
            functions[i] = new ProxyFunction(f.Name, f.Offset, parts[2] == "1", role,
                role == NativeFunctionRole.Method ? Return(parts[3]) : ProxyKind.Void, ps);
        }
        return functions;
    }

    private static ProxyKind Return(string code) => code switch
    {
        "st" => ProxyKind.Status,
        "v" => ProxyKind.Void,
        _ => Scalar(code),
    };

    private static ProxyParameter Parameter(string code) => code switch
    {
        "self" => new(ProxyKind.Self, ProxyKind.Void),
        "s" or "b" => new(ProxyKind.Pair, ProxyKind.Void),
        "o" => new(ProxyKind.OutBytes, ProxyKind.Void),
        "e" => new(ProxyKind.Error, ProxyKind.Void),
        ['p', .. var pointee] => new(ProxyKind.OutScalar, Scalar(pointee)),
        _ => new(Scalar(code), ProxyKind.Void),
    };

    private static ProxyKind Scalar(string code) => code switch
    {
        "i8" => ProxyKind.I8,
        "u8" => ProxyKind.U8,
        "i16" => ProxyKind.I16,
        "u16" => ProxyKind.U16,
        "i32" => ProxyKind.I32,
        "u32" => ProxyKind.U32,
        "i64" => ProxyKind.I64,
        "u64" => ProxyKind.U64,
        _ => throw new ArgumentException($"unknown type code '{code}' in a proxy description"),
    };

    /// <summary>Bytes of an integer kind.</summary>
    public static int Bytes(ProxyKind kind) => kind switch
    {
        ProxyKind.I8 or ProxyKind.U8 => 1,
        ProxyKind.I16 or ProxyKind.U16 => 2,
        ProxyKind.I32 or ProxyKind.U32 => 4,
        _ => 8,
    };
}
