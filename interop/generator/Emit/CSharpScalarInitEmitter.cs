// Emits interop/bindings/csharp/Generated/NpScalarInit.g.cs: for each argument struct a .NET host fills right before
// a plugin call, an Init method that stores every field with one scalar store (rule H8), with its field list taken
// from the header, so that a field added to the header is initialised without anyone editing host code.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class CSharpScalarInitEmitter
{
    public const string Path = CSharpBindingsEmitter.Folder + "/NpScalarInit.g.cs";

    /// <summary>
    /// The structs a host fills on the stack for each call (rule H8, interop/README.md): the error buffer of every
    /// fallible call, np_entry's negotiation, the batch handed to process and the counters of the [leaf] stats.
    /// A struct joins this list when a host starts filling it per call; the emitter refuses one it cannot fill with
    /// scalar stores (a nested struct, an array, a function pointer, padding).
    /// </summary>
    public static readonly string[] Structs = ["np_error_t", "np_negotiation_t", "np_batch_t", "np_transform_stats_t"];

    /// <summary>The parameter naming the struct to fill; no field may have this name.</summary>
    private const string Target = "target";

    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        var structs = Structs.Select(name => model.Structs.FirstOrDefault(s => s.Name == name)
            ?? throw new GeneratorException($"scalar init: {name} is not a struct of the header")).ToList();
        foreach (var s in structs) Validate(s);

        var w = new CodeWriter();
        Banner.Slashes(w, "interop/include/nplug (the structs listed in interop/generator/Emit/CSharpScalarInitEmitter.cs)");
        w.Line("#nullable enable");
        w.Line("using System.Runtime.CompilerServices;");
        w.Line();
        w.Line("namespace NativePlugins.Interop;");
        w.Line();
        w.Lines([
            "/// <summary>",
            "/// Fills the argument structs a host hands to a plugin call with one scalar store per field (rule H8).",
            "/// Why: on an AVX-capable CPU the JIT zeroes a 32-byte-or-larger struct (<c>= default</c>, <c>new() { ... }</c>) with a",
            "/// 256-bit <c>vmovdqu ymm</c> store, which leaves the upper halves of the YMM registers dirty. It does not emit",
            "/// <c>vzeroupper</c> before a <c>SuppressGCTransition</c> call, so legacy-SSE code in the plugin (gcc builds without",
            "/// <c>-mavx</c>: the C SDK, the C samples) then runs with a dirty upper state and pays the SSE/AVX transition penalty",
            "/// on its SSE instructions: measured ~170 ns extra per [leaf] <c>stats</c> call versus ~2.5 ns for the call itself.",
            "/// Volatile stores are never merged by the JIT into one SIMD store, and on x64 they are plain <c>mov</c>s.",
            "/// Each <c>Init</c> writes every field of its struct, in declaration order: <c>struct_size</c> is the size of the",
            "/// struct as this binding knows it, <c>reserved</c> is 0, and every other field is its parameter (named as in C),",
            "/// 0 or NULL when not given.",
            "/// </summary>",
        ]);
        w.Line("public static unsafe class NpScalarInit");
        using (w.Block())
        {
            // A property, not a static field: a static initializer would give the class a static constructor, and the
            // Init methods must stay free of any class-initialisation check.
            w.Line("/// <summary>The structs that have an <c>Init</c>, each with the fields it writes, in the order it writes them");
            w.Line("/// (for tests: a new list on each call).</summary>");
            w.Line("public static IReadOnlyList<(Type Struct, string[] Fields)> Structs =>");
            w.Line("[");
            foreach (var s in structs)
                w.Line($"    (typeof({s.Name}), [{string.Join(", ", s.Fields.Select(f => $"\"{f.Name}\""))}]),");
            w.Line("];");
            foreach (var s in structs)
            {
                w.Line();
                EmitInit(w, s);
            }
        }
        yield return (Path, w.ToString());
    }

    private static void EmitInit(CodeWriter w, AbiStruct s)
    {
        var parameters = s.Fields.Where(f => Fixed(s, f) is null).ToList();
        w.Line($"/// <summary>Fills <c>{s.Name}</c> ({s.Size} bytes) with {s.Fields.Count} scalar stores.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
        var signature = string.Join(", ", parameters.Select(f =>
            $"{CSharpNames.Type(f.Type)} {CSharpNames.Identifier(f.Name)} = {(f.Type is PointerType ? "null" : "0")}").Prepend($"{s.Name}* {Target}"));
        w.Line($"public static void Init({signature})");
        using (w.Block())
        {
            foreach (var f in s.Fields)
            {
                string id = CSharpNames.Identifier(f.Name);
                string value = Fixed(s, f) ?? id;
                w.Line(f.Type is PointerType
                    ? $"Volatile.Write(ref *(nint*)&{Target}->{id}, (nint){value});"
                    : $"Volatile.Write(ref {Target}->{id}, {value});");
            }
        }
    }

    /// <summary>The value a field always gets (struct_size, reserved), or null for a field that is a parameter.</summary>
    private static string? Fixed(AbiStruct s, AbiField f)
    {
        if (f.Name == "struct_size" && f.Offset == 0) return $"(uint)sizeof({s.Name})";
        if (f.Name.StartsWith("reserved", StringComparison.Ordinal)) return f.Type is PointerType ? "null" : $"({CSharpNames.Type(f.Type)})0";
        return null;
    }

    private static void Validate(AbiStruct s)
    {
        if (s.IsOpaque) throw new GeneratorException($"scalar init: {s.Name} is opaque");
        uint end = 0;
        foreach (var f in s.Fields)
        {
            if (f.Name == Target) throw new GeneratorException($"scalar init: {s.Name}.{f.Name} clashes with the parameter '{Target}'");
            bool scalar = f.Type switch
            {
                PrimitiveType p => p != PrimitiveType.Void,
                AliasType { Target: PrimitiveType } => true,
                PointerType => true,
                _ => false,
            };
            if (!scalar)
                throw new GeneratorException($"scalar init: {s.Name}.{f.Name} ({f.CSpelling}) is not an integer or a data pointer");
            if (f.Offset != end)
                throw new GeneratorException($"scalar init: {s.Name} has padding at offset {end}: a byte no field store writes");
            end = f.Offset + f.Size;
        }
        if (end != s.Size)
            throw new GeneratorException($"scalar init: {s.Name} has tail padding at offset {end}: a byte no field store writes");
        if (s.Fields.FirstOrDefault(f => f.Name == "struct_size") is { } size && (size.Offset != 0 || size.Size != 4))
            throw new GeneratorException($"scalar init: {s.Name}.struct_size is not a uint32_t at offset 0");
    }
}
