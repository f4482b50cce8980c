// Reads the header set with libclang and builds the AbiModel: struct layouts as clang computes them for this
// target, field types, doc comments with their `@since` tags, scalar and function-pointer typedefs, and the
// #define constants. Declarations outside include/nplug (system headers) and the generated np_layout.g.h are
// ignored: the generator's input is the hand-written header set only.
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NativePlugins.Generator.Clang;
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Parsing;

public sealed unsafe partial class HeaderParser
{
    /// <summary>The umbrella header, relative to the include directory.</summary>
    public const string UmbrellaHeader = "nplug/nplug.h";

    private readonly string _includeDir;
    private readonly string _headerDir;
    private readonly SourceComments _comments = new();
    private readonly TextWriter _log;
    private readonly Dictionary<string, string> _typedefOfTag = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CXCursor> _typedefCursorOfTag = new(StringComparer.Ordinal);
    private readonly HashSet<string> _definedTags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (uint Major, uint Minor, string Where)> _sinceTags = new();
    private readonly HashSet<(string File, int Line)> _consumedSince = new();

    /// <param name="includeDir">The folder holding `nplug/` (interop/include or a copy of it).</param>
    /// <param name="log">Receives one line per skipped macro (what the generator chose not to mirror, and why).</param>
    public HeaderParser(string includeDir, TextWriter log)
    {
        _includeDir = Path.GetFullPath(includeDir);
        _headerDir = Path.Combine(_includeDir, "nplug") + Path.DirectorySeparatorChar;
        _log = log;
    }

    /// <summary>libclang's global state (LLVM options, crash recovery) is not documented as safe for parallel
    /// parses; tests run several generators at once, so parses take turns.</summary>
    private static readonly Lock ParseLock = new();

    public AbiModel Parse()
    {
        lock (ParseLock) return ParseLocked();
    }

    private AbiModel ParseLocked()
    {
        string umbrella = Path.Combine(_includeDir, UmbrellaHeader);
        if (!File.Exists(umbrella)) throw new GeneratorException($"{umbrella}: not found");

        void* index = LibClang.clang_createIndex(0, 0);
        void* tu = null;
        try
        {
            tu = ParseTranslationUnit(index, umbrella);
            var top = LibClang.Children(LibClang.clang_getTranslationUnitCursor(tu))
                .Where(c => HeaderOf(c) is not null)
                .ToList();
            return BuildModel(tu, top);
        }
        finally
        {
            if (tu != null) LibClang.clang_disposeTranslationUnit(tu);
            LibClang.clang_disposeIndex(index);
        }
    }

    private void* ParseTranslationUnit(void* index, string umbrella)
    {
        string[] args = ["-x", "c", "-std=c11", "-I", _includeDir, "-Wall", "-Wextra", "-Wno-unused-macros"];
        var handles = new List<nint>();
        try
        {
            foreach (var a in args) handles.Add(Marshal.StringToCoTaskMemUTF8(a));
            nint file = Marshal.StringToCoTaskMemUTF8(umbrella);
            handles.Add(file);
            nint[] argv = handles.Take(args.Length).ToArray();
            void* tu;
            int rc;
            fixed (nint* pArgs = argv)
            {
                rc = LibClang.clang_parseTranslationUnit2(index, (byte*)file, (byte**)pArgs, args.Length, null, 0,
                    LibClang.TranslationUnit_DetailedPreprocessingRecord | LibClang.TranslationUnit_SkipFunctionBodies, &tu);
            }
            if (rc != 0 || tu == null) throw new GeneratorException($"{umbrella}: libclang could not parse it (error {rc})");

            var errors = new List<string>();
            uint n = LibClang.clang_getNumDiagnostics(tu);
            for (uint i = 0; i < n; i++)
            {
                void* d = LibClang.clang_getDiagnostic(tu, i);
                int severity = LibClang.clang_getDiagnosticSeverity(d);
                string text = LibClang.Take(LibClang.clang_formatDiagnostic(d, LibClang.clang_defaultDiagnosticDisplayOptions()));
                LibClang.clang_disposeDiagnostic(d);
                if (severity >= 2) errors.Add(text); // warnings too: the ABI header must compile cleanly
            }
            if (errors.Count > 0)
            {
                LibClang.clang_disposeTranslationUnit(tu);
                throw new GeneratorException("the header set does not compile cleanly:\n  " + string.Join("\n  ", errors));
            }
            return tu;
        }
        finally
        {
            foreach (var h in handles) Marshal.FreeCoTaskMem(h);
        }
    }

    /// <summary>The header a cursor was declared in, relative to include/nplug ("np_types.h",
    /// "ext/np_transform.h"), or null when it is not part of the hand-written header set.</summary>
    private string? HeaderOf(CXCursor c)
    {
        var (file, _, _) = LibClang.Location(c);
        if (file.Length == 0) return null;
        string full = Path.GetFullPath(file);
        if (!full.StartsWith(_headerDir, StringComparison.Ordinal)) return null;
        string rel = full[_headerDir.Length..].Replace('\\', '/');
        return rel.EndsWith(".g.h", StringComparison.Ordinal) ? null : rel;
    }

    private AbiModel BuildModel(void* tu, List<CXCursor> top)
    {
        // Pass 1: which typedef names each struct tag (the ABI names structs by their typedef), which tags are defined.
        foreach (var c in top)
        {
            int kind = LibClang.clang_getCursorKind(c);
            if (kind == CursorKind.StructDecl && LibClang.clang_isCursorDefinition(c) != 0)
                _definedTags.Add(Spelling(c));
            if (kind == CursorKind.TypedefDecl && RecordTag(LibClang.clang_getTypedefDeclUnderlyingType(c)) is { } tag)
            {
                string name = Spelling(c);
                if (_typedefOfTag.TryGetValue(tag, out var other) && other != name)
                    throw new GeneratorException($"struct {tag} has two typedef names: {other} and {name}");
                _typedefOfTag[tag] = name;
                _typedefCursorOfTag[tag] = c;
            }
        }

        // Pass 2: constants first (the ABI version decides how @since tags are read), then declarations in order.
        var constants = new List<AbiConstant>();
        var pendingMacroComments = new List<AttachedComment?>(); // their @since tags are checked once the version is known
        var known = new Dictionary<string, AbiConstant>(StringComparer.Ordinal);
        foreach (var c in top.Where(c => LibClang.clang_getCursorKind(c) == CursorKind.MacroDefinition))
        {
            string name = Spelling(c);
            string header = HeaderOf(c)!;
            if (LibClang.clang_Cursor_isMacroFunctionLike(c) != 0)
            {
                _log.WriteLine($"skip macro {name} ({header}): function-like");
                continue;
            }
            var tokens = Tokens(tu, c);
            if (tokens.Count == 0 || tokens[0].Text != name)
                throw new GeneratorException($"{header}: macro {name}: unexpected token stream");
            var (file, line, _) = LibClang.Location(c);
            var comment = _comments.Above(file, (int)line);
            pendingMacroComments.Add(comment);
            string doc = comment?.Text ?? "";
            var result = MacroConstants.Classify(name, tokens.Skip(1).ToList(), header, doc, known);
            if (result.Constant is { } constant)
            {
                constants.Add(constant);
                known[name] = constant;
            }
            else
            {
                _log.WriteLine($"skip macro {name} ({header}): {result.SkipReason}");
            }
        }
        uint major = VersionConstant(known, "NP_ABI_MAJOR");
        uint minor = VersionConstant(known, "NP_ABI_MINOR");
        foreach (var comment in pendingMacroComments) SinceOf(comment, major, minor, 0);

        var structs = new List<AbiStruct>();
        var aliases = new List<AbiAlias>();
        var functionTypedefs = new List<AbiFunctionTypedef>();
        var headers = new List<string>();
        foreach (var c in top)
        {
            string header = HeaderOf(c)!;
            if (!headers.Contains(header)) headers.Add(header);
            switch (LibClang.clang_getCursorKind(c))
            {
                case CursorKind.StructDecl when LibClang.clang_isCursorDefinition(c) != 0:
                    structs.Add(ReadStruct(c, header, major, minor));
                    break;
                case CursorKind.TypedefDecl:
                    ReadTypedef(c, header, major, minor, structs, aliases, functionTypedefs);
                    break;
                case CursorKind.StructDecl:
                case CursorKind.MacroDefinition:
                case CursorKind.FunctionDecl: // np_entry: each library defines it; bindings carry np_entry_fn instead
                case 503: // inclusion directive
                case 502: // macro expansion
                    break;
                default:
                    throw new GeneratorException($"{header}: unsupported declaration `{Spelling(c)}` (cursor kind {LibClang.clang_getCursorKind(c)})");
            }
        }

        CheckEverySinceTagIsAttached(headers);
        return new AbiModel(major, minor, headers, constants, aliases, structs, functionTypedefs);
    }

    private static uint VersionConstant(Dictionary<string, AbiConstant> known, string name) =>
        known.TryGetValue(name, out var c) && c.Kind is ConstantKind.UInt32 or ConstantKind.Int32 && c.Integer >= 0
            ? (uint)c.Integer
            : throw new GeneratorException($"{name} is missing or not a non-negative integer constant");

    private void ReadTypedef(CXCursor c, string header, uint major, uint minor, List<AbiStruct> structs,
        List<AbiAlias> aliases, List<AbiFunctionTypedef> functionTypedefs)
    {
        string name = Spelling(c);
        CXType underlying = LibClang.clang_getTypedefDeclUnderlyingType(c);
        if (RecordTag(underlying) is { } tag)
        {
            // Opaque handle: declared, never defined (np_instance_t). It appears where its typedef is.
            if (!_definedTags.Contains(tag))
            {
                var doc = DocOf(c);
                structs.Add(new AbiStruct(name, tag, header, 0, 0, true, SinceOf(doc, major, minor, 0), [], doc?.Text ?? ""));
            }
            return;
        }
        var type = MapType(underlying, c, $"typedef {name}");
        var typedefDoc = DocOf(c);
        SinceOf(typedefDoc, major, minor, 0);
        var text = typedefDoc?.Text ?? "";
        switch (type)
        {
            case FunctionPointerType fp:
                functionTypedefs.Add(new AbiFunctionTypedef(name, fp, header, text));
                break;
            case PrimitiveType p when p != PrimitiveType.Void:
                aliases.Add(new AbiAlias(name, p, header, text));
                break;
            default:
                throw new GeneratorException($"{header}: typedef {name}: only struct, integer and function-pointer typedefs are supported");
        }
    }

    private AbiStruct ReadStruct(CXCursor c, string header, uint major, uint minor)
    {
        string tag = Spelling(c);
        if (!_typedefOfTag.TryGetValue(tag, out var name))
            throw new GeneratorException($"{header}: struct {tag} has no typedef name; every ABI struct is `typedef struct x x_t`");
        CXType type = LibClang.clang_getCursorType(c);
        long size = LibClang.clang_Type_getSizeOf(type);
        long align = LibClang.clang_Type_getAlignOf(type);
        if (size <= 0 || align <= 0) throw new GeneratorException($"{header}: {name}: libclang could not lay it out");
        // `typedef struct x x_t;` separated from `struct x {...}`: the comment may sit on either.
        var doc = DocOf(c) ?? (_typedefCursorOfTag.TryGetValue(tag, out var td) ? DocOf(td) : null);
        uint structSince = SinceOf(doc, major, minor, 0);

        var fields = new List<AbiField>();
        foreach (var f in LibClang.Children(c))
        {
            int kind = LibClang.clang_getCursorKind(f);
            if (kind != CursorKind.FieldDecl)
            {
                if (kind == CursorKind.StructDecl) throw new GeneratorException($"{header}: {name}: nested struct definitions are not supported");
                continue; // attributes and the like
            }
            string fname = Spelling(f);
            CXType ftype = LibClang.clang_getCursorType(f);
            long bits = LibClang.clang_Cursor_getOffsetOfField(f);
            long fsize = LibClang.clang_Type_getSizeOf(ftype);
            if (bits < 0 || bits % 8 != 0 || fsize <= 0)
                throw new GeneratorException($"{header}: {name}.{fname}: not byte-addressable (bitfield?) or of unknown size");
            var fdoc = DocOf(f);
            fields.Add(new AbiField(
                fname,
                MapType(ftype, f, $"{name}.{fname}"),
                LibClang.Take(LibClang.clang_getTypeSpelling(ftype)),
                (uint)(bits / 8),
                (uint)fsize,
                SinceOf(fdoc, major, minor, structSince),
                fdoc?.Text ?? ""));
        }
        if (fields.Count == 0) throw new GeneratorException($"{header}: {name}: an ABI struct needs at least one field");
        CheckAppendOnly(name, header, fields, structSince);
        return new AbiStruct(name, tag, header, (uint)size, (uint)align, false, structSince, fields, doc?.Text ?? "");
    }

    /// <summary>Within a major, fields are only appended, and only to structs that a reader can size.</summary>
    private static void CheckAppendOnly(string name, string header, List<AbiField> fields, uint structSince)
    {
        for (int i = 1; i < fields.Count; i++)
            if (fields[i].SinceMinor < fields[i - 1].SinceMinor)
                throw new GeneratorException(
                    $"{header}: {name}.{fields[i].Name} (since minor {fields[i].SinceMinor}) follows {fields[i - 1].Name} " +
                    $"(since minor {fields[i - 1].SinceMinor}): fields are appended in the order of the minors that added them");
        bool grows = fields.Any(f => f.SinceMinor > structSince);
        if (grows && (fields[0].Name != "struct_size" || fields[0].Type.Canonical != "uint32_t"))
            throw new GeneratorException(
                $"{header}: {name} gains fields after its first minor but does not start with uint32_t struct_size " +
                "(interop/README.md, section 2: only prefix structs may grow)");
    }

    // ---- Types -----------------------------------------------------------------------------------------------

    private string? RecordTag(CXType t)
    {
        t = Unwrap(t);
        if (t.kind != TypeKind.Record) return null;
        return Spelling(LibClang.clang_getTypeDeclaration(t));
    }

    /// <summary>Removes the sugar that does not name anything: `struct x` (elaborated), parentheses, attributes.</summary>
    private static CXType Unwrap(CXType t)
    {
        while (true)
        {
            if (t.kind == TypeKind.Elaborated) { t = LibClang.clang_Type_getNamedType(t); continue; }
            if (t.kind is 1 /* Unexposed */ or 163 /* Attributed */)
            {
                // Parenthesized or attributed types (`np_status (NP_CDECL *f)(...)`): look at what they wrap.
                var result = LibClang.clang_getResultType(t);
                if (result.kind != 0) return t; // a function type; MapType handles it
                var canonical = LibClang.clang_getCanonicalType(t);
                if (canonical.kind == t.kind) return t;
                t = canonical;
                continue;
            }
            return t;
        }
    }

    private AbiType MapType(CXType t, CXCursor owner, string where)
    {
        t = Unwrap(t);
        switch (t.kind)
        {
            case TypeKind.Void:
                return PrimitiveType.Void;
            case TypeKind.Typedef:
                {
                    string name = LibClang.Take(LibClang.clang_getTypedefName(t));
                    var decl = LibClang.clang_getTypeDeclaration(t);
                    var underlying = LibClang.clang_getTypedefDeclUnderlyingType(decl);
                    if (RecordTag(underlying) is { } tag) return StructType(tag, where);
                    var target = MapType(underlying, decl, where);
                    // Typedefs from system headers (uint32_t) are the fixed-width names themselves; ours are kept by name.
                    return HeaderOf(decl) is null ? target : target is PrimitiveType ? new AliasType(name, target) : target;
                }
            case TypeKind.Record:
                return StructType(Spelling(LibClang.clang_getTypeDeclaration(t)), where);
            case TypeKind.Pointer:
                {
                    var pointee = LibClang.clang_getPointeeType(t);
                    var unwrapped = Unwrap(pointee);
                    if (LibClang.clang_getResultType(unwrapped).kind != 0 || LibClang.clang_getCanonicalType(unwrapped).kind is TypeKind.FunctionProto or TypeKind.FunctionNoProto)
                        return FunctionPointer(unwrapped, owner, where);
                    return new PointerType(MapType(pointee, owner, where), LibClang.clang_isConstQualifiedType(pointee) != 0);
                }
            case TypeKind.ConstantArray:
                return new ArrayType(MapType(LibClang.clang_getArrayElementType(t), owner, where), LibClang.clang_getArraySize(t));
            case TypeKind.FunctionProto:
            case TypeKind.FunctionNoProto:
                throw new GeneratorException($"{where}: a function type is only allowed behind a pointer");
            default:
                return Integer(t, where);
        }
    }

    private FunctionPointerType FunctionPointer(CXType fn, CXCursor owner, string where)
    {
        if (LibClang.clang_getCanonicalType(fn).kind == TypeKind.FunctionNoProto)
            throw new GeneratorException($"{where}: a function pointer without a prototype; write (void) for no parameters");
        var names = LibClang.Children(owner)
            .Where(p => LibClang.clang_getCursorKind(p) == CursorKind.ParmDecl)
            .Select(Spelling)
            .ToList();
        int n = LibClang.clang_getNumArgTypes(fn);
        var parameters = new List<AbiParameter>();
        for (uint i = 0; i < n; i++)
            parameters.Add(new AbiParameter(i < names.Count ? names[(int)i] : "",
                MapType(LibClang.clang_getArgType(fn, i), owner, $"{where} parameter {i}")));
        return new FunctionPointerType(MapType(LibClang.clang_getResultType(fn), owner, $"{where} result"), parameters);
    }

    private AbiType StructType(string tag, string where) =>
        _typedefOfTag.TryGetValue(tag, out var name)
            ? new StructType(name)
            : throw new GeneratorException($"{where}: struct {tag} is not an ABI struct (no typedef in the header set)");

    /// <summary>Integer types by size and signedness, so the name is the same on every platform (uint64_t is
    /// `unsigned long` here and `unsigned long long` on Windows). Rule A1: no bool, no char, no enum, no float.</summary>
    private static PrimitiveType Integer(CXType t, string where)
    {
        var canonical = LibClang.clang_getCanonicalType(t);
        long size = LibClang.clang_Type_getSizeOf(canonical);
        bool? signed = canonical.kind switch
        {
            TypeKind.SChar or TypeKind.Short or TypeKind.Int or TypeKind.Long or TypeKind.LongLong => true,
            TypeKind.UChar or TypeKind.UShort or TypeKind.UInt or TypeKind.ULong or TypeKind.ULongLong => false,
            _ => null,
        };
        if (signed is null || size is not (1 or 2 or 4 or 8))
            throw new GeneratorException(
                $"{where}: type `{LibClang.Take(LibClang.clang_getTypeSpelling(t))}` is not allowed in the ABI " +
                "(fixed-width integers, pointers and structs only: no bool, char, enum or floating point)");
        return new PrimitiveType($"{(signed.Value ? "" : "u")}int{size * 8}_t");
    }

    // ---- Comments and @since -----------------------------------------------------------------------------------

    private AttachedComment? DocOf(CXCursor c)
    {
        var (file, line, _) = LibClang.ExtentStart(c);
        var (_, endLine, endColumn) = LibClang.ExtentEnd(c);
        var above = _comments.Above(file, (int)line);
        // A trailing comment belongs to a field or typedef, not to a struct body (its closing line is `} name_t;`).
        var trailing = LibClang.clang_getCursorKind(c) == CursorKind.StructDecl ? null : _comments.Trailing(file, (int)endLine, (int)endColumn);
        return SourceComments.Join(above, trailing);
    }

    [GeneratedRegex(@"@since\s+(\d+)\.(\d+)")]
    private static partial Regex SinceTag();

    private uint SinceOf(AttachedComment? doc, uint major, uint minor, uint inherited)
    {
        if (doc is null) return inherited;
        uint? found = null;
        var lines = _comments.Lines(doc.File);
        for (int line = doc.FirstLine; line <= doc.LastLine; line++)
        {
            foreach (Match m in SinceTag().Matches(lines[line - 1]))
            {
                uint tagMajor = uint.Parse(m.Groups[1].Value), tagMinor = uint.Parse(m.Groups[2].Value);
                string where = $"{doc.File}:{line}";
                if (tagMajor != major)
                    throw new GeneratorException($"{where}: @since {tagMajor}.{tagMinor} names major {tagMajor}, but NP_ABI_MAJOR is {major}");
                if (tagMinor > minor)
                    throw new GeneratorException($"{where}: @since {tagMajor}.{tagMinor} is newer than NP_ABI_MINOR ({minor}); bump NP_ABI_MINOR");
                if (found is not null && found != tagMinor)
                    throw new GeneratorException($"{where}: two different @since tags on one declaration");
                if (tagMinor < inherited)
                    throw new GeneratorException($"{where}: @since {tagMajor}.{tagMinor} is older than its struct (minor {inherited})");
                found = tagMinor;
                _consumedSince.Add((doc.File, line));
            }
        }
        return found ?? inherited;
    }

    /// <summary>An @since tag the generator did not attach to a field or struct would silently leave a field in the
    /// x.0 fingerprint; refuse instead.</summary>
    private void CheckEverySinceTagIsAttached(List<string> headers)
    {
        foreach (var header in headers)
        {
            string file = Path.Combine(_headerDir, header);
            var lines = _comments.Lines(file);
            for (int i = 0; i < lines.Length; i++)
                if (SinceTag().IsMatch(lines[i]) && !_consumedSince.Contains((file, i + 1)) &&
                    !_consumedSince.Any(s => Path.GetFullPath(s.File) == file && s.Line == i + 1))
                    throw new GeneratorException(
                        $"{file}:{i + 1}: this @since tag is not attached to a struct or field (put it in the comment " +
                        "directly above the field or trailing on its line)");
        }
    }

    // ---- libclang helpers ----------------------------------------------------------------------------------------

    private static string Spelling(CXCursor c) => LibClang.Take(LibClang.clang_getCursorSpelling(c));

    private static List<MacroToken> Tokens(void* tu, CXCursor c)
    {
        CXToken* tokens;
        uint count;
        LibClang.clang_tokenize(tu, LibClang.clang_getCursorExtent(c), &tokens, &count);
        try
        {
            var list = new List<MacroToken>((int)count);
            for (uint i = 0; i < count; i++)
            {
                int kind = LibClang.clang_getTokenKind(tokens[i]);
                if (kind == TokenKind.Comment) continue;
                list.Add(new MacroToken(kind, LibClang.Take(LibClang.clang_getTokenSpelling(tu, tokens[i]))));
            }
            return list;
        }
        finally
        {
            if (tokens != null) LibClang.clang_disposeTokens(tu, tokens, count);
        }
    }
}
