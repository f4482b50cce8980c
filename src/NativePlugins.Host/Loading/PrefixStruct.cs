using System.Runtime.CompilerServices;

namespace NativePlugins.Hosting.Loading;

/// <summary>
/// Reads a growable ("prefix") struct a library hands over, rule H2: a field is read only when the library's
/// <c>struct_size</c> covers it entirely AND it exists in the agreed minor; everything else reads as zero, so a
/// missing optional function is NULL. Fields of a newer minor beyond what the host knows are never read.
/// Offsets and since-minors come from the generated layout manifest (<see cref="AbiLayoutFacts"/>).
/// </summary>
internal static unsafe class PrefixStruct
{
    /// <summary>Copies the readable prefix of the struct at <paramref name="source"/> into a zeroed T.</summary>
    public static T Read<T>(void* source, string structName, uint agreedMinor, out uint structSize)
        where T : unmanaged =>
        Read<T>(source, AbiLayoutFacts.Get(structName), agreedMinor, out structSize);

    /// <summary>Same, with the struct's layout facts already looked up (the load path keeps them in statics).</summary>
    public static T Read<T>(void* source, StructFacts layout, uint agreedMinor, out uint structSize)
        where T : unmanaged
    {
        structSize = *(uint*)source;
        T value = default;
        var readable = layout.ReadableBytes(structSize, agreedMinor);
        if (readable > (uint)sizeof(T)) readable = (uint)sizeof(T);
        Unsafe.CopyBlockUnaligned(&value, source, readable);
        // Fields of later minors that the copied range may still contain (a library of a newer minor that agreed on
        // an older one) are cleared by ReadableBytes stopping before them: fields are append-only, so every
        // field of a later minor lies after every field of an earlier one.
        return value;
    }
}
