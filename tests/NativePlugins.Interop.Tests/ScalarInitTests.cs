using System.Reflection;
using System.Runtime.InteropServices;
using NativePlugins.Generator;
using NativePlugins.Interop;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>
/// The generated <see cref="NpScalarInit"/> (rule H8) writes every byte of its struct as the header dictates: checked
/// on memory filled with 0xFF, field by field against the layout manifest, and its field list against the struct as
/// reflection sees it, so that a field added to a struct without the initializer following fails here.
/// </summary>
public sealed unsafe class ScalarInitTests
{
    /// <summary>The minor an edited scratch header appends to: the next after the real header's.</summary>
    private static uint NextMinor => NpAbi.NP_ABI_MINOR + 1;

    private const byte Dirty = 0xFF;
    private const int Guard = 16;

    public static TheoryData<string> Structs() => new(NpScalarInit.Structs.Select(s => s.Struct.Name));

    [Fact]
    public void Every_struct_the_host_fills_per_call_has_an_initializer()
    {
        Assert.Equal(["np_error_t", "np_negotiation_t", "np_batch_t", "np_transform_stats_t"],
            NpScalarInit.Structs.Select(s => s.Struct.Name));
    }

    [Theory]
    [MemberData(nameof(Structs))]
    public void The_written_fields_are_the_fields_of_the_struct_in_declaration_order(string name)
    {
        var (type, written) = Entry(name);
        var reflected = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .OrderBy(f => Marshal.OffsetOf(type, f.Name).ToInt64())
            .Select(f => f.Name);
        Assert.Equal(reflected, written);
        Assert.Equal(Manifest(name).Fields.Select(f => f.Name), written);
    }

    [Theory]
    [MemberData(nameof(Structs))]
    public void Init_takes_every_field_but_struct_size_and_reserved_as_an_optional_parameter_of_its_type(string name)
    {
        var (type, written) = Entry(name);
        var parameters = InitOf(type).GetParameters();
        Assert.Equal(type.MakePointerType(), parameters[0].ParameterType);
        Assert.Equal(written.Where(f => !IsFixed(f)), parameters.Skip(1).Select(p => p.Name));
        foreach (var p in parameters.Skip(1))
        {
            Assert.True(p.IsOptional, $"{name}.{p.Name} is not optional");
            Assert.Equal(type.GetField(p.Name!)!.FieldType, p.ParameterType);
        }
    }

    [Theory]
    [MemberData(nameof(Structs))]
    public void Init_without_values_writes_struct_size_and_zeroes_every_other_byte(string name)
    {
        var (type, _) = Entry(name);
        var layout = Manifest(name);
        var method = InitOf(type);
        byte[] after = Run(layout, method, method.GetParameters().Skip(1).Select(p => p.DefaultValue).ToArray());

        foreach (var f in layout.Fields)
        {
            ulong expected = f.Name == "struct_size" ? layout.Size : 0;
            Assert.True(Read(after, f) == expected, $"{name}.{f.Name} is 0x{Read(after, f):x}, expected {expected}");
        }
        AssertEveryByteIsAField(layout);
    }

    [Theory]
    [MemberData(nameof(Structs))]
    public void Init_stores_each_value_in_its_own_field(string name)
    {
        var (type, _) = Entry(name);
        var layout = Manifest(name);
        var method = InitOf(type);
        var parameters = method.GetParameters().Skip(1).ToArray();
        // A different value for every parameter, filling the whole field: a swapped or truncated store shows.
        ulong ValueOf(int i, uint size) => size == 8 ? 0x0102030405060708UL * (ulong)(i + 1) : 0x01020304u * (uint)(i + 1);
        var values = parameters.Select((p, i) =>
        {
            ulong v = ValueOf(i, layout.Field(p.Name!)!.Size);
            return p.ParameterType.IsPointer ? Pointer.Box((void*)v, p.ParameterType)
                : Convert.ChangeType(p.ParameterType == typeof(int) ? unchecked((int)(uint)v) : v, p.ParameterType, null);
        }).ToArray();
        byte[] after = Run(layout, method, values);

        for (int i = 0; i < parameters.Length; i++)
        {
            var f = layout.Field(parameters[i].Name!)!;
            Assert.True(Read(after, f) == ValueOf(i, f.Size), $"{name}.{f.Name} is 0x{Read(after, f):x}, expected 0x{ValueOf(i, f.Size):x}");
        }
        foreach (var f in layout.Fields.Where(f => IsFixed(f.Name)))
            Assert.Equal(f.Name == "struct_size" ? layout.Size : 0UL, Read(after, f));
    }

    [Fact]
    public void The_host_negotiation_call_shape_fills_the_named_fields()
    {
        np_negotiation_t n;
        new Span<byte>(&n, sizeof(np_negotiation_t)).Fill(Dirty);
        NpScalarInit.Init(&n, abi_major: 1, abi_minor: 7, library_abi_major: 0xFFFF_FFFFu, library_abi_minor: 0xFFFF_FFFFu);
        Assert.Equal((uint)sizeof(np_negotiation_t), n.struct_size);
        Assert.Equal((1u, 7u), (n.abi_major, n.abi_minor));
        Assert.Equal((0xFFFF_FFFFu, 0xFFFF_FFFFu), (n.library_abi_major, n.library_abi_minor));
        Assert.Equal(0u, n.reserved);
        Assert.Equal(0UL, n.layout_fingerprint);
        Assert.True(n.layout_report == null);
    }

    [Fact]
    public void A_field_appended_to_the_header_is_initialised_after_regeneration()
    {
        using var scratch = new ScratchHeaderSet();
        scratch.Edit("ext/np_transform.h", "    uint64_t bytes_out;\n} np_transform_stats_t;",
            $"    uint64_t bytes_out;\n    uint64_t records_dropped; /** Appended by ScalarInitTests. @since 1.{NextMinor} */\n}} np_transform_stats_t;");
        scratch.Edit("np_version.h", $"#define NP_ABI_MINOR {NpAbi.NP_ABI_MINOR}u", $"#define NP_ABI_MINOR {NextMinor}u");
        var text = GenerationPlan.Generate(scratch.Parse())["interop/bindings/csharp/Generated/NpScalarInit.g.cs"];
        Assert.Contains("ulong bytes_out = 0, ulong records_dropped = 0)", text);
        Assert.Contains("Volatile.Write(ref target->records_dropped, records_dropped);", text);
        Assert.Contains("\"bytes_out\", \"records_dropped\"]", text);
    }

    [Fact]
    public void A_struct_with_padding_is_refused_because_a_byte_would_stay_dirty()
    {
        using var scratch = new ScratchHeaderSet();
        // Appended last: a uint32_t after the struct's last pointer leaves 4 bytes of tail padding.
        scratch.Edit("np_entry.h", "    np_error_t *error;\n} np_negotiation_t;",
            $"    np_error_t *error;\n    uint32_t flags; /** Appended by ScalarInitTests. @since 1.{NextMinor} */\n}} np_negotiation_t;");
        scratch.Edit("np_version.h", $"#define NP_ABI_MINOR {NpAbi.NP_ABI_MINOR}u", $"#define NP_ABI_MINOR {NextMinor}u");
        var model = scratch.Parse();
        var e = Assert.Throws<GeneratorException>(() => GenerationPlan.Generate(model));
        Assert.Contains("scalar init: np_negotiation_t has tail padding at offset 52", e.Message);
    }

    private static (Type Struct, string[] Fields) Entry(string name) => NpScalarInit.Structs.Single(s => s.Struct.Name == name);

    private static NpStructLayout Manifest(string name) =>
        NpAbiLayout.Find(name) ?? throw new InvalidOperationException($"{name} is not in the layout manifest");

    private static bool IsFixed(string field) => field == "struct_size" || field.StartsWith("reserved", StringComparison.Ordinal);

    private static MethodInfo InitOf(Type type) =>
        typeof(NpScalarInit).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(NpScalarInit.Init) && m.GetParameters()[0].ParameterType == type.MakePointerType());

    /// <summary>Calls Init on 0xFF-filled native memory with a guard zone behind the struct; returns the struct's bytes
    /// and checks that the guard zone is untouched.</summary>
    private static byte[] Run(NpStructLayout layout, MethodInfo init, object?[] values)
    {
        int size = (int)layout.Size;
        byte* memory = (byte*)NativeMemory.AlignedAlloc((nuint)(size + Guard), 16);
        try
        {
            var all = new Span<byte>(memory, size + Guard);
            all.Fill(Dirty);
            init.Invoke(null, values.Prepend(Pointer.Box(memory, init.GetParameters()[0].ParameterType)).ToArray());
            Assert.True(all[size..].IndexOfAnyExcept(Dirty) < 0, $"{layout.Name}: Init wrote past the end of the struct");
            return all[..size].ToArray();
        }
        finally
        {
            NativeMemory.AlignedFree(memory);
        }
    }

    private static ulong Read(byte[] bytes, NpFieldLayout f) => f.Size switch
    {
        8 => BitConverter.ToUInt64(bytes, (int)f.Offset),
        4 => BitConverter.ToUInt32(bytes, (int)f.Offset),
        _ => throw new InvalidOperationException($"{f.Name}: unexpected field size {f.Size}"),
    };

    /// <summary>Every byte of the struct belongs to a field: no padding that Init would leave as it found it.</summary>
    private static void AssertEveryByteIsAField(NpStructLayout layout)
    {
        var covered = new bool[layout.Size];
        foreach (var f in layout.Fields)
            for (uint i = f.Offset; i < f.Offset + f.Size; i++) covered[i] = true;
        Assert.True(covered.All(c => c), $"{layout.Name} has bytes that belong to no field");
    }
}
