// A user contract as `nplug bindgen` understands it (interop/interfaces.md): the declarations of the user's headers
// and, per `@interface` vtable, its functions with their roles and the shapes the typed wrappers understand. Built by
// the parser from an AbiModel of the user's headers; consumed by every bindgen emitter. Knows no target language.
namespace NativePlugins.Generator.Model;

/// <summary>The role of a vtable function (rule I5).</summary>
public enum FunctionRole { Method, Create, Destroy }

/// <summary>What one input parameter of a typed wrapper is (rule I6).</summary>
public enum InputKind
{
    /// <summary>An integer, passed as it is (<see cref="WrapperInput.Type"/> is its primitive or alias type).</summary>
    Integer,

    /// <summary><c>np_str_t</c>: text in (UTF-8).</summary>
    Text,

    /// <summary><c>np_bytes_t</c>: bytes in.</summary>
    Bytes,
}

/// <summary>An input parameter: its index in the C signature, name and kind.</summary>
public sealed record WrapperInput(int Index, string Name, InputKind Kind, AbiType Type);

/// <summary>What a typed wrapper returns (rule I6).</summary>
public enum ResultKind
{
    /// <summary>Nothing (the C function returns np_status or void and has no out parameter).</summary>
    None,

    /// <summary>The C function's own integer return value (a leaf getter such as <c>count</c>).</summary>
    ReturnValue,

    /// <summary>An integer written through an <c>out_*</c> pointer parameter.</summary>
    OutInteger,

    /// <summary>Bytes appended to an <c>np_out_bytes_t *</c> parameter.</summary>
    OutBytes,

    /// <summary>Text (UTF-8) appended to an <c>np_out_bytes_t *</c> parameter (<c>@returns text</c>).</summary>
    OutText,
}

/// <summary>The result of a typed wrapper. Index is the out parameter's index (-1 for None/ReturnValue); Type is
/// the integer type for ReturnValue/OutInteger.</summary>
public sealed record WrapperResult(ResultKind Kind, int Index, AbiType? Type);

/// <summary>The shape of a function a typed wrapper can be generated for.</summary>
/// <param name="IsInstanceMethod">The first parameter is the instance (T * or const T *).</param>
/// <param name="ReturnsStatus">The C function returns np_status (a failure becomes an error/exception).</param>
/// <param name="ErrorIndex">Index of the final np_error_t * parameter, or -1.</param>
public sealed record WrapperShape(
    bool IsInstanceMethod,
    IReadOnlyList<WrapperInput> Inputs,
    WrapperResult Result,
    bool ReturnsStatus,
    int ErrorIndex);

/// <summary>One function pointer of a vtable.</summary>
/// <param name="Field">The vtable field (name, offset, doc, SinceMinor = the interface minor that appended it).</param>
/// <param name="Required">"Never NULL" (true) or "Optional" (false), rule I4.</param>
/// <param name="Wrapper">The typed wrapper's shape, or null when the function gets only its raw pointer (always null
/// for @create/@destroy: the instance wrapper itself is their typed form, and NoWrapperReason is null for them).</param>
/// <param name="NoWrapperReason">Why there is no wrapper (bindgen prints it), or null.</param>
/// <param name="ThreadTags">The thread tags of its doc comment, e.g. ["instance", "leaf"].</param>
public sealed record InterfaceFunction(
    AbiField Field,
    FunctionPointerType Type,
    bool Required,
    FunctionRole Role,
    WrapperShape? Wrapper,
    string? NoWrapperReason,
    IReadOnlyList<string> ThreadTags)
{
    public string Name => Field.Name;
    public bool IsLeaf => ThreadTags.Contains("leaf");
}

/// <summary>One <c>@interface</c> vtable.</summary>
/// <param name="Id">The interface id, <c>acme.greeter/1</c>.</param>
/// <param name="Revision">The number after the slash.</param>
/// <param name="NewestMinor">The newest <c>@since R.M</c> minor among the structs it reaches (0 when untagged).</param>
/// <param name="VTable">The vtable struct.</param>
/// <param name="Instance">The opaque instance struct (the T of @create's T **), or null without instances.</param>
/// <param name="Structs">The vtable, then every user struct its signatures reach, transitively, in declaration
/// order: the structs the interface fingerprint and layout report cover.</param>
/// <param name="Functions">The vtable's function pointers, in declaration order.</param>
/// <param name="Fingerprints">The interface fingerprint per minor, index = minor.</param>
public sealed record InterfaceModel(
    string Id,
    uint Revision,
    uint NewestMinor,
    AbiStruct VTable,
    AbiStruct? Instance,
    IReadOnlyList<AbiStruct> Structs,
    IReadOnlyList<InterfaceFunction> Functions,
    IReadOnlyList<ulong> Fingerprints)
{
    public InterfaceFunction? Create => Functions.FirstOrDefault(f => f.Role == FunctionRole.Create);
    public InterfaceFunction? Destroy => Functions.FirstOrDefault(f => f.Role == FunctionRole.Destroy);
    public bool HasInstances => Create is not null;
}

/// <summary>Everything one `nplug bindgen` run emits from.</summary>
/// <param name="Headers">The user's headers as given (full paths).</param>
/// <param name="Stem">The first header's file name without extension (<c>greeter</c>): names the output files.</param>
/// <param name="Declarations">The declarations of the user's headers only (no np_* type): constants, aliases,
/// structs (opaque ones included), function typedefs. Field SinceMinor counts minors of the interface revision.</param>
/// <param name="Interfaces">The @interface vtables, in declaration order.</param>
/// <param name="CSharpNamespace">Namespace of the C# output.</param>
/// <param name="RustModule">Name of the Rust output file and module.</param>
/// <param name="CommandLine">The command that regenerates the output, for the banner.</param>
public sealed record ContractModel(
    IReadOnlyList<string> Headers,
    string Stem,
    AbiModel Declarations,
    IReadOnlyList<InterfaceModel> Interfaces,
    string CSharpNamespace,
    string RustModule,
    string CommandLine);
