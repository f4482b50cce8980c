// The slice of the libclang C API the generator needs, bound by hand (ClangSharp is not available here).
// Every signature is blittable: structs are passed by value exactly as libclang declares them, strings are
// UTF-8 byte pointers. The library is Debian's libclang1-14, loaded by its soname.
using System.Runtime.InteropServices;

namespace NativePlugins.Generator.Clang;

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXCursor
{
    public int kind;
    public int xdata;
    public void* data0, data1, data2;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXType
{
    public int kind;
    public void* data0, data1;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXString
{
    public void* data;
    public uint private_flags;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXSourceLocation
{
    public void* ptr0, ptr1;
    public uint int_data;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXSourceRange
{
    public void* ptr0, ptr1;
    public uint begin_int_data, end_int_data;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXToken
{
    public uint int0, int1, int2, int3;
    public void* ptr_data;
}

/// <summary>CXCursorKind values used by the parser (clang-c/Index.h).</summary>
internal static class CursorKind
{
    public const int StructDecl = 2;
    public const int UnionDecl = 3;
    public const int EnumDecl = 5;
    public const int FieldDecl = 6;
    public const int FunctionDecl = 8;
    public const int ParmDecl = 10;
    public const int TypedefDecl = 20;
    public const int MacroDefinition = 501;
}

/// <summary>CXTypeKind values used by the parser (clang-c/Index.h).</summary>
internal static class TypeKind
{
    public const int Void = 2;
    public const int Bool = 3;
    public const int Char_U = 4;
    public const int UChar = 5;
    public const int UShort = 8;
    public const int UInt = 9;
    public const int ULong = 10;
    public const int ULongLong = 11;
    public const int Char_S = 13;
    public const int SChar = 14;
    public const int Short = 16;
    public const int Int = 17;
    public const int Long = 18;
    public const int LongLong = 19;
    public const int Float = 21;
    public const int Double = 22;
    public const int Pointer = 101;
    public const int Record = 105;
    public const int Enum = 106;
    public const int Typedef = 107;
    public const int FunctionNoProto = 110;
    public const int FunctionProto = 111;
    public const int ConstantArray = 112;
    public const int Elaborated = 119;
}

internal static class TokenKind
{
    public const int Punctuation = 0;
    public const int Keyword = 1;
    public const int Identifier = 2;
    public const int Literal = 3;
    public const int Comment = 4;
}

internal static unsafe partial class LibClang
{
    private const string Lib = "libclang-14.so.1";

    public const uint TranslationUnit_DetailedPreprocessingRecord = 0x01;
    public const uint TranslationUnit_SkipFunctionBodies = 0x40;

    [LibraryImport(Lib)] public static partial void* clang_createIndex(int excludeDeclarationsFromPch, int displayDiagnostics);
    [LibraryImport(Lib)] public static partial void clang_disposeIndex(void* index);

    [LibraryImport(Lib)]
    public static partial int clang_parseTranslationUnit2(void* index, byte* sourceFilename, byte** commandLineArgs,
        int numCommandLineArgs, void* unsavedFiles, uint numUnsavedFiles, uint options, void** outTu);
    [LibraryImport(Lib)] public static partial void clang_disposeTranslationUnit(void* tu);

    [LibraryImport(Lib)] public static partial uint clang_getNumDiagnostics(void* tu);
    [LibraryImport(Lib)] public static partial void* clang_getDiagnostic(void* tu, uint index);
    [LibraryImport(Lib)] public static partial int clang_getDiagnosticSeverity(void* diagnostic);
    [LibraryImport(Lib)] public static partial CXString clang_formatDiagnostic(void* diagnostic, uint options);
    [LibraryImport(Lib)] public static partial uint clang_defaultDiagnosticDisplayOptions();
    [LibraryImport(Lib)] public static partial void clang_disposeDiagnostic(void* diagnostic);

    [LibraryImport(Lib)] public static partial byte* clang_getCString(CXString str);
    [LibraryImport(Lib)] public static partial void clang_disposeString(CXString str);

    [LibraryImport(Lib)] public static partial CXCursor clang_getTranslationUnitCursor(void* tu);
    [LibraryImport(Lib)]
    public static partial uint clang_visitChildren(CXCursor parent,
        delegate* unmanaged<CXCursor, CXCursor, nint, int> visitor, nint clientData);
    [LibraryImport(Lib)] public static partial int clang_getCursorKind(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXString clang_getCursorSpelling(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXType clang_getCursorType(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXSourceLocation clang_getCursorLocation(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXSourceRange clang_getCursorExtent(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_isCursorDefinition(CXCursor cursor);
    [LibraryImport(Lib)] public static partial CXString clang_Cursor_getRawCommentText(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_Cursor_isMacroFunctionLike(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_Cursor_isBitField(CXCursor cursor);
    [LibraryImport(Lib)] public static partial long clang_Cursor_getOffsetOfField(CXCursor cursor);
    [LibraryImport(Lib)] public static partial uint clang_equalCursors(CXCursor a, CXCursor b);
    [LibraryImport(Lib)] public static partial CXType clang_getTypedefDeclUnderlyingType(CXCursor cursor);

    [LibraryImport(Lib)] public static partial CXSourceLocation clang_getRangeStart(CXSourceRange range);
    [LibraryImport(Lib)] public static partial CXSourceLocation clang_getRangeEnd(CXSourceRange range);
    [LibraryImport(Lib)]
    public static partial void clang_getFileLocation(CXSourceLocation location, void** file, uint* line, uint* column,
        uint* offset);
    [LibraryImport(Lib)] public static partial CXString clang_getFileName(void* file);

    [LibraryImport(Lib)] public static partial CXType clang_getCanonicalType(CXType type);
    [LibraryImport(Lib)] public static partial CXString clang_getTypeSpelling(CXType type);
    [LibraryImport(Lib)] public static partial CXString clang_getTypedefName(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getPointeeType(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getResultType(CXType type);
    [LibraryImport(Lib)] public static partial int clang_getNumArgTypes(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getArgType(CXType type, uint index);
    [LibraryImport(Lib)] public static partial uint clang_isConstQualifiedType(CXType type);
    [LibraryImport(Lib)] public static partial uint clang_isVolatileQualifiedType(CXType type);
    [LibraryImport(Lib)] public static partial long clang_Type_getSizeOf(CXType type);
    [LibraryImport(Lib)] public static partial long clang_Type_getAlignOf(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_Type_getNamedType(CXType type);
    [LibraryImport(Lib)] public static partial CXCursor clang_getTypeDeclaration(CXType type);
    [LibraryImport(Lib)] public static partial CXType clang_getArrayElementType(CXType type);
    [LibraryImport(Lib)] public static partial long clang_getArraySize(CXType type);

    [LibraryImport(Lib)]
    public static partial void clang_tokenize(void* tu, CXSourceRange range, CXToken** tokens, uint* numTokens);
    [LibraryImport(Lib)] public static partial int clang_getTokenKind(CXToken token);
    [LibraryImport(Lib)] public static partial CXString clang_getTokenSpelling(void* tu, CXToken token);
    [LibraryImport(Lib)] public static partial void clang_disposeTokens(void* tu, CXToken* tokens, uint numTokens);

    /// <summary>Copies a CXString into a managed string and disposes it.</summary>
    public static string Take(CXString str)
    {
        try
        {
            byte* p = clang_getCString(str);
            return p == null ? "" : Marshal.PtrToStringUTF8((nint)p) ?? "";
        }
        finally
        {
            clang_disposeString(str);
        }
    }

    /// <summary>The direct children of a cursor, in source order.</summary>
    public static List<CXCursor> Children(CXCursor parent)
    {
        var list = new List<CXCursor>();
        var handle = GCHandle.Alloc(list);
        try
        {
            clang_visitChildren(parent, &CollectChild, GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        return list;
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int CollectChild(CXCursor cursor, CXCursor parent, nint clientData)
    {
        // Never throws: adding to a List cannot fail short of OOM, and an exception here would abort the process.
        ((List<CXCursor>)GCHandle.FromIntPtr(clientData).Target!).Add(cursor);
        return 1; // CXChildVisit_Continue
    }

    /// <summary>File path (as clang spells it), line and column of a cursor; path is "" for built-ins.</summary>
    public static (string File, uint Line, uint Column) Location(CXCursor cursor) =>
        Resolve(clang_getCursorLocation(cursor));

    /// <summary>Where a cursor's source text ends (line and column, 1-based; the column is one past the end).</summary>
    public static (string File, uint Line, uint Column) ExtentEnd(CXCursor cursor) =>
        Resolve(clang_getRangeEnd(clang_getCursorExtent(cursor)));

    /// <summary>Where a cursor's source text starts.</summary>
    public static (string File, uint Line, uint Column) ExtentStart(CXCursor cursor) =>
        Resolve(clang_getRangeStart(clang_getCursorExtent(cursor)));

    private static (string File, uint Line, uint Column) Resolve(CXSourceLocation location)
    {
        void* file;
        uint line, column, offset;
        clang_getFileLocation(location, &file, &line, &column, &offset);
        return (file == null ? "" : Take(clang_getFileName(file)), line, column);
    }
}
