// Reads C headers with libclang and builds the AbiModel: struct layouts as clang computes them for this target,
// field types, doc comments with their `@since` tags, scalar and function-pointer typedefs, and the #define
// constants. Two inputs, one parser:
// - the ABI header set (the generator): declarations outside include/nplug (system headers) and the generated
//   np_layout.g.h are ignored, so the generator's input is the hand-written header set only;
// - a user's contract headers (`nplug bindgen`, interop/interfaces.md): only declarations in those files count;
//   the np_* types they use stay by name, and every refusal names file, line and rule (I1/I2 are A1/A2).
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
    private readonly HashSet<(string File, int Line)> _consumedSince = new();

    // User mode only (null for the ABI header set): full path -> (name as given, name relative to its include dir).
    private readonly Dictionary<string, (string Display, string IncludeName)>? _userHeaders;
    private readonly IReadOnlyList<string> _userHeaderOrder = [];
    private readonly IReadOnlyList<string> _userIncludeDirs = [];
    private readonly DeclarationSites _sites = new();

    /// <param name="includeDir">The folder holding `nplug/` (interop/include or a copy of it).</param>
    /// <param name="log">Receives one line per skipped macro (what the generator chose not to mirror, and why).</param>
    public HeaderParser(string includeDir, TextWriter log)
    {
        _includeDir = Path.GetFullPath(includeDir);
        _headerDir = Path.Combine(_includeDir, "nplug") + Path.DirectorySeparatorChar;
        _log = log;
    }

    /// <summary>A parser of a user's contract headers (<c>nplug bindgen</c>): <see cref="ParseUserHeaders"/>.</summary>
    /// <param name="headers">The contract's headers, as the user named them; the first is the main file, the others
    /// are included before it (each is parsed once).</param>
    /// <param name="includeDirs">More include directories (<c>--include</c>), searched after the ABI's.</param>
    /// <param name="abiIncludeDir">The folder holding the ABI's <c>nplug/</c>, searched first so that
    /// <c>#include &lt;nplug/nplug.h&gt;</c> always finds the headers bindgen's model of np_* types comes from.</param>
    /// <param name="log">Receives one line per skipped macro.</param>
    public HeaderParser(IReadOnlyList<string> headers, IReadOnlyList<string> includeDirs, string abiIncludeDir, TextWriter log)
        : this(abiIncludeDir, log)
    {
        if (headers.Count == 0) throw new GeneratorException("no header given");
        _userIncludeDirs = includeDirs.Select(d => Path.GetFullPath(d)).ToList();
        _userHeaders = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var header in headers)
        {
            string full = Path.GetFullPath(header);
            if (!File.Exists(full)) throw new GeneratorException($"{header}: not found");
            if (full.StartsWith(_headerDir, StringComparison.Ordinal))
                throw new GeneratorException($"{header}: is one of the ABI's own headers; bindgen reads a contract that includes them");
            if (_userHeaders.TryAdd(full, (header, IncludeName(full)))) order.Add(full);
        }
        _userHeaderOrder = order;
    }

    private bool UserMode => _userHeaders is not null;

    /// <summary>How a C file includes the header: relative to the first include directory that holds it
    /// (<c>acme/greeter.h</c>), or its file name when none does.</summary>
    private string IncludeName(string full)
    {
        foreach (var dir in _userIncludeDirs)
        {
            string prefix = dir.EndsWith(Path.DirectorySeparatorChar) ? dir : dir + Path.DirectorySeparatorChar;
            if (full.StartsWith(prefix, StringComparison.Ordinal)) return full[prefix.Length..].Replace('\\', '/');
        }
        return Path.GetFileName(full);
    }

    /// <summary>libclang's global state (LLVM options, crash recovery) is not documented as safe for parallel
    /// parses; tests run several generators at once, so parses take turns.</summary>
    private static readonly Lock ParseLock = new();

    /// <summary>Parses the ABI header set.</summary>
    public AbiModel Parse()
    {
        if (UserMode) throw new InvalidOperationException("this parser reads user headers: call ParseUserHeaders");
        lock (ParseLock) return ParseLocked();
    }

    /// <summary>Parses the user's headers: the declarations of those files only, and where each was written.
    /// Field minors count the <c>@since R.M</c> tags' M; R is checked against the interface revision by the
    /// contract builder, which knows which interface reaches which struct.</summary>
    public ParsedHeaders ParseUserHeaders()
    {
        if (!UserMode) throw new InvalidOperationException("this parser reads the ABI header set: call Parse");
        lock (ParseLock)
        {
            var model = ParseLocked();
            _sites.Headers = _userHeaderOrder.Select(f => (_userHeaders![f].Display, _comments.Lines(f))).ToList();
            return new ParsedHeaders(model, _sites);
        }
    }

    private AbiModel ParseLocked()
    {
        string umbrella = Path.Combine(_includeDir, UmbrellaHeader);
        if (!File.Exists(umbrella)) throw new GeneratorException($"{umbrella}: not found");
        string main = UserMode ? _userHeaderOrder[0] : umbrella;

        void* index = LibClang.clang_createIndex(0, 0);
        void* tu = null;
        try
        {
            tu = ParseTranslationUnit(index, main);
            var all = LibClang.Children(LibClang.clang_getTranslationUnitCursor(tu));
            var top = all.Where(c => HeaderOf(c) is not null).ToList();
            // In user mode the np_* declarations are not emitted but must be known: their typedef names and constants.
            var abi = UserMode ? all.Where(IsAbiDeclaration).ToList() : [];
            return BuildModel(tu, top, abi);
        }
        finally
        {
            if (tu != null) LibClang.clang_disposeTranslationUnit(tu);
            LibClang.clang_disposeIndex(index);
        }
    }

    private void* ParseTranslationUnit(void* index, string mainFile)
    {
        var argList = new List<string> { "-x", "c", "-std=c11", "-I", _includeDir };
        foreach (var dir in _userIncludeDirs) argList.AddRange(["-I", dir]);
        foreach (var header in _userHeaderOrder.Skip(1)) argList.AddRange(["-include", header]);
        argList.AddRange(["-Wall", "-Wextra", "-Wno-unused-macros"]);
        // A contract header is parsed as the main file; `#pragma once` is right in it, not a mistake.
        if (UserMode) argList.Add("-Wno-pragma-once-outside-header");
        string[] args = [.. argList];
        var handles = new List<nint>();
        try
        {
            foreach (var a in args) handles.Add(Marshal.StringToCoTaskMemUTF8(a));
            nint file = Marshal.StringToCoTaskMemUTF8(mainFile);
            handles.Add(file);
            nint[] argv = handles.Take(args.Length).ToArray();
            void* tu;
            int rc;
            fixed (nint* pArgs = argv)
            {
                rc = LibClang.clang_parseTranslationUnit2(index, (byte*)file, (byte**)pArgs, args.Length, null, 0,
                    LibClang.TranslationUnit_DetailedPreprocessingRecord | LibClang.TranslationUnit_SkipFunctionBodies, &tu);
            }
            if (rc != 0 || tu == null) throw new GeneratorException($"{DisplayName(mainFile)}: libclang could not parse it (error {rc})");

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
                throw new GeneratorException((UserMode ? "the headers do not compile cleanly" : "the header set does not compile cleanly") +
                                             ":\n  " + string.Join("\n  ", errors));
            }
            return tu;
        }
        finally
        {
            foreach (var h in handles) Marshal.FreeCoTaskMem(h);
        }
    }

    /// <summary>The header a cursor was declared in, relative to include/nplug ("np_types.h",
    /// "ext/np_transform.h"), or null when it is not part of the hand-written header set. In user mode: the user
    /// header's include name ("acme/greeter.h"), or null for every other file (the ABI's headers included).</summary>
    private string? HeaderOf(CXCursor c)
    {
        var (file, _, _) = LibClang.Location(c);
        if (file.Length == 0) return null;
        string full = Path.GetFullPath(file);
        if (_userHeaders is not null) return _userHeaders.TryGetValue(full, out var user) ? user.IncludeName : null;
        if (!full.StartsWith(_headerDir, StringComparison.Ordinal)) return null;
        string rel = full[_headerDir.Length..].Replace('\\', '/');
        return rel.EndsWith(".g.h", StringComparison.Ordinal) ? null : rel;
    }

    /// <summary>A declaration of the ABI's own header set (user mode: the np_* types a contract may use).</summary>
    private bool IsAbiDeclaration(CXCursor c)
    {
        var (file, _, _) = LibClang.Location(c);
        return file.Length > 0 && Path.GetFullPath(file).StartsWith(_headerDir, StringComparison.Ordinal);
    }

    /// <summary>A file as error messages name it: user headers as the user named them, others by full path.</summary>
    private string DisplayName(string file)
    {
        string full = Path.GetFullPath(file);
        return _userHeaders is not null && _userHeaders.TryGetValue(full, out var user) ? user.Display : file;
    }

    private SourceSite SiteOf(CXCursor c, AttachedComment? doc, SinceTagSite? since)
    {
        var (file, line, _) = LibClang.Location(c);
        return new SourceSite(DisplayName(file), (int)line, doc?.FirstLine ?? 0, doc?.LastLine ?? 0, since);
    }

    /// <summary>A refusal. The ABI generator's messages say `where: what`; bindgen's say
    /// `file:line: rule I<n>: where: what` (interop/interfaces.md: the user must find the line and the rule).</summary>
    private GeneratorException Refuse(CXCursor at, int userRule, string where, string message, string separator = ": ")
    {
        if (!UserMode) return new GeneratorException($"{where}{separator}{message}");
        var (file, line, _) = LibClang.Location(at);
        // `where` starts with the header for the ABI's messages; the location already names it.
        foreach (var (_, include) in _userHeaders!.Values)
        {
            if (where.StartsWith(include + ": ", StringComparison.Ordinal)) where = where[(include.Length + 2)..];
            else if (where == include) where = "";
        }
        string what = where.Length == 0 ? message : where + separator + message;
        return new GeneratorException($"{DisplayName(file)}:{line}: rule I{userRule}: {what}");
    }

    private AbiModel BuildModel(void* tu, List<CXCursor> top, List<CXCursor> abi)
    {
        // Pass 1: which typedef names each struct tag (the ABI names structs by their typedef), which tags are defined.
        foreach (var c in abi.Concat(top))
        {
            int kind = LibClang.clang_getCursorKind(c);
            if (kind == CursorKind.StructDecl && LibClang.clang_isCursorDefinition(c) != 0)
                _definedTags.Add(Spelling(c));
            if (kind == CursorKind.TypedefDecl && RecordTag(LibClang.clang_getTypedefDeclUnderlyingType(c)) is { } tag)
            {
                string name = Spelling(c);
                if (_typedefOfTag.TryGetValue(tag, out var other) && other != name)
                    throw Refuse(c, 1, $"struct {tag}", $"has two typedef names: {other} and {name}");
                _typedefOfTag[tag] = name;
                _typedefCursorOfTag[tag] = c;
            }
        }

        // Pass 2: constants first (the ABI version decides how @since tags are read), then declarations in order.
        var constants = new List<AbiConstant>();
        var pendingMacroComments = new List<AttachedComment?>(); // their @since tags are checked once the version is known
        var known = new Dictionary<string, AbiConstant>(StringComparer.Ordinal);
        // User mode: the ABI's constants first, known (NP_ABI_MAJOR, NP_OK for `#define ACME_OK NP_OK`) but not emitted.
        foreach (var c in abi.Where(c => LibClang.clang_getCursorKind(c) == CursorKind.MacroDefinition &&
                                         LibClang.clang_Cursor_isMacroFunctionLike(c) == 0))
        {
            string name = Spelling(c);
            var tokens = Tokens(tu, c);
            if (tokens.Count == 0 || tokens[0].Text != name) continue;
            if (MacroConstants.Classify(name, tokens.Skip(1).ToList(), "nplug", "", known).Constant is { } constant)
                known[name] = constant;
        }
        foreach (var c in top.Where(c => LibClang.clang_getCursorKind(c) == CursorKind.MacroDefinition))
        {
            string name = Spelling(c);
            string header = HeaderOf(c)!;
            if (UserMode)
            {
                var (mfile, mline, _) = LibClang.Location(c);
                _sites.Add(name, DeclarationKind.Macro, SiteOf(c, _comments.Above(mfile, (int)mline), null));
            }
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
                case CursorKind.FunctionDecl when UserMode:
                    throw Refuse(c, 1, Spelling(c),
                        "a contract header declares no functions (a library exports only np_entry); make it a function pointer of a vtable");
                case CursorKind.StructDecl:
                case CursorKind.MacroDefinition:
                case CursorKind.FunctionDecl: // np_entry: each library defines it; bindings carry np_entry_fn instead
                case 503: // inclusion directive
                case 502: // macro expansion
                    break;
                case CursorKind.EnumDecl when UserMode:
                    throw Refuse(c, 1, header, $"enum {Spelling(c)}: enums are not allowed (their size is the compiler's choice); " +
                                               "use a fixed-width integer and #define its values");
                default:
                    throw Refuse(c, 1, header, $"unsupported declaration `{Spelling(c)}` (cursor kind {LibClang.clang_getCursorKind(c)}): " +
                                               "only struct, integer and function-pointer typedefs and #define constants");
            }
        }

        if (UserMode) CheckEverySinceTagIsAttached(_userHeaderOrder);
        else CheckEverySinceTagIsAttached(headers.Select(h => Path.Combine(_headerDir, h)).ToList());
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
                uint since = SinceOf(doc, major, minor, 0, out var tagSite);
                if (UserMode) _sites.AddStruct(name, SiteOf(c, doc, tagSite));
                structs.Add(new AbiStruct(name, tag, header, 0, 0, true, since, [], doc?.Text ?? ""));
            }
            return;
        }
        var type = MapType(underlying, c, $"typedef {name}");
        var typedefDoc = DocOf(c);
        SinceOf(typedefDoc, major, minor, 0, out var typedefTag);
        if (UserMode) _sites.Add(name, DeclarationKind.Typedef, SiteOf(c, typedefDoc, typedefTag));
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
                throw Refuse(c, 1, $"{header}: typedef {name}", "only struct, integer and function-pointer typedefs are supported");
        }
    }

    private AbiStruct ReadStruct(CXCursor c, string header, uint major, uint minor)
    {
        string tag = Spelling(c);
        if (!_typedefOfTag.TryGetValue(tag, out var name))
            throw Refuse(c, 1, $"{header}: struct {tag}", "has no typedef name; every ABI struct is `typedef struct x x_t`");
        CXType type = LibClang.clang_getCursorType(c);
        long size = LibClang.clang_Type_getSizeOf(type);
        long align = LibClang.clang_Type_getAlignOf(type);
        if (size <= 0 || align <= 0) throw Refuse(c, 1, $"{header}: {name}", "libclang could not lay it out");
        // `typedef struct x x_t;` separated from `struct x {...}`: the comment may sit on either.
        var doc = DocOf(c) ?? (_typedefCursorOfTag.TryGetValue(tag, out var td) ? DocOf(td) : null);
        uint structSince = SinceOf(doc, major, minor, 0, out var structTag);
        if (UserMode) _sites.AddStruct(name, SiteOf(c, doc, structTag));

        var fields = new List<AbiField>();
        var fieldCursors = new List<CXCursor>();
        foreach (var f in LibClang.Children(c))
        {
            int kind = LibClang.clang_getCursorKind(f);
            if (kind != CursorKind.FieldDecl)
            {
                if (kind is CursorKind.StructDecl or CursorKind.UnionDecl)
                    throw Refuse(f, 1, $"{header}: {name}", "nested struct definitions are not supported");
                continue; // attributes and the like
            }
            string fname = Spelling(f);
            CXType ftype = LibClang.clang_getCursorType(f);
            long bits = LibClang.clang_Cursor_getOffsetOfField(f);
            long fsize = LibClang.clang_Type_getSizeOf(ftype);
            if (bits < 0 || bits % 8 != 0 || fsize <= 0 || LibClang.clang_Cursor_isBitField(f) != 0)
                throw Refuse(f, 1, $"{header}: {name}.{fname}", "not byte-addressable (bitfield?) or of unknown size");
            var fdoc = DocOf(f);
            uint fieldSince = SinceOf(fdoc, major, minor, structSince, out var fieldTag);
            if (UserMode) _sites.AddField(name, fname, SiteOf(f, fdoc, fieldTag));
            fieldCursors.Add(f);
            fields.Add(new AbiField(
                fname,
                MapType(ftype, f, $"{name}.{fname}"),
                LibClang.Take(LibClang.clang_getTypeSpelling(ftype)),
                (uint)(bits / 8),
                (uint)fsize,
                fieldSince,
                fdoc?.Text ?? ""));
        }
        if (fields.Count == 0) throw Refuse(c, 1, $"{header}: {name}", "an ABI struct needs at least one field");
        CheckAppendOnly(c, name, header, fields, fieldCursors, structSince);
        return new AbiStruct(name, tag, header, (uint)size, (uint)align, false, structSince, fields, doc?.Text ?? "");
    }

    /// <summary>Within a major, fields are only appended, and only to structs that a reader can size.</summary>
    private void CheckAppendOnly(CXCursor structCursor, string name, string header, List<AbiField> fields,
        List<CXCursor> fieldCursors, uint structSince)
    {
        for (int i = 1; i < fields.Count; i++)
            if (fields[i].SinceMinor < fields[i - 1].SinceMinor)
                throw Refuse(fieldCursors[i], 2, $"{header}: {name}.{fields[i].Name}",
                    $"(since minor {fields[i].SinceMinor}) follows {fields[i - 1].Name} " +
                    $"(since minor {fields[i - 1].SinceMinor}): fields are appended in the order of the minors that added them" +
                    (UserMode ? $"; tag it @since R.{fields[i - 1].SinceMinor} or newer, or move it before {fields[i - 1].Name} if it is not yet released" : ""),
                    " ");
        bool grows = fields.Any(f => f.SinceMinor > structSince);
        if (grows && (fields[0].Name != "struct_size" || fields[0].Type.Canonical != "uint32_t"))
            throw Refuse(structCursor, 2, $"{header}: {name}",
                "gains fields after its first minor but does not start with uint32_t struct_size " +
                (UserMode ? "(only structs a reader can size may grow: add `uint32_t struct_size;` as its first field)"
                          : "(interop/README.md, section 2: only prefix structs may grow)"),
                " ");
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
                    if (RecordTag(underlying) is { } tag) return StructType(tag, owner, where);
                    var target = MapType(underlying, decl, where);
                    // Typedefs from system headers (uint32_t) are the fixed-width names themselves; ours are kept by name
                    // (in user mode the ABI's too: a contract's np_status stays np_status).
                    bool named = HeaderOf(decl) is not null || (UserMode && IsAbiDeclaration(decl));
                    return named && target is PrimitiveType ? new AliasType(name, target) : target;
                }
            case TypeKind.Record:
                return StructType(Spelling(LibClang.clang_getTypeDeclaration(t)), owner, where);
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
                throw Refuse(owner, 1, where, "a function type is only allowed behind a pointer");
            default:
                return Integer(t, owner, where);
        }
    }

    private FunctionPointerType FunctionPointer(CXType fn, CXCursor owner, string where)
    {
        if (LibClang.clang_getCanonicalType(fn).kind == TypeKind.FunctionNoProto)
            throw Refuse(owner, 1, where, "a function pointer without a prototype; write (void) for no parameters");
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

    private AbiType StructType(string tag, CXCursor owner, string where) =>
        _typedefOfTag.TryGetValue(tag, out var name)
            ? new StructType(name)
            : throw Refuse(owner, 1, where, $"struct {tag} is not an ABI struct (no typedef in the header set)");

    /// <summary>Integer types by size and signedness, so the name is the same on every platform (uint64_t is
    /// `unsigned long` here and `unsigned long long` on Windows). Rule A1: no bool, no char, no enum, no float.</summary>
    private PrimitiveType Integer(CXType t, CXCursor owner, string where)
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
            throw Refuse(owner, 1, where,
                $"type `{LibClang.Take(LibClang.clang_getTypeSpelling(t))}` is not allowed in the ABI " +
                "(fixed-width integers, pointers and structs only: no bool, char, enum or floating point)" +
                (UserMode ? canonical.kind switch
                {
                    TypeKind.Bool => "; use uint32_t (0 or 1) for a flag",
                    TypeKind.Char_S or TypeKind.Char_U => "; use uint8_t for a byte, np_str_t for text",
                    TypeKind.Enum => "; use a fixed-width integer and #define its values",
                    _ => "; use a fixed-width integer (a scaled or fixed-point value) instead",
                } : ""));
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

    private uint SinceOf(AttachedComment? doc, uint major, uint minor, uint inherited) =>
        SinceOf(doc, major, minor, inherited, out _);

    /// <summary>The minor of a declaration's <c>@since</c> tag (or <paramref name="inherited"/>), and the tag as
    /// written. The ABI's tags name its major and at most NP_ABI_MINOR; a contract's tags name the interface
    /// revision, which only the contract builder knows, so user mode checks neither here.</summary>
    private uint SinceOf(AttachedComment? doc, uint major, uint minor, uint inherited, out SinceTagSite? tag)
    {
        tag = null;
        if (doc is null) return inherited;
        uint? found = null;
        var lines = _comments.Lines(doc.File);
        for (int line = doc.FirstLine; line <= doc.LastLine; line++)
        {
            foreach (Match m in SinceTag().Matches(lines[line - 1]))
            {
                uint tagMajor = uint.Parse(m.Groups[1].Value), tagMinor = uint.Parse(m.Groups[2].Value);
                string where = UserMode ? $"{DisplayName(doc.File)}:{line}: rule I2" : $"{doc.File}:{line}";
                if (!UserMode && tagMajor != major)
                    throw new GeneratorException($"{where}: @since {tagMajor}.{tagMinor} names major {tagMajor}, but NP_ABI_MAJOR is {major}");
                if (!UserMode && tagMinor > minor)
                    throw new GeneratorException($"{where}: @since {tagMajor}.{tagMinor} is newer than NP_ABI_MINOR ({minor}); bump NP_ABI_MINOR");
                if (found is not null && found != tagMinor)
                    throw new GeneratorException($"{where}: two different @since tags on one declaration");
                if (tagMinor < inherited)
                    throw new GeneratorException($"{where}: @since {tagMajor}.{tagMinor} is older than its struct (minor {inherited})");
                found = tagMinor;
                tag ??= new SinceTagSite(tagMajor, tagMinor, line);
                _consumedSince.Add((doc.File, line));
            }
        }
        return found ?? inherited;
    }

    /// <summary>An @since tag the generator did not attach to a field or struct would silently leave a field in the
    /// x.0 fingerprint; refuse instead.</summary>
    private void CheckEverySinceTagIsAttached(IReadOnlyList<string> files)
    {
        foreach (var file in files)
        {
            var lines = _comments.Lines(file);
            for (int i = 0; i < lines.Length; i++)
                if (SinceTag().IsMatch(lines[i]) && !_consumedSince.Contains((file, i + 1)) &&
                    !_consumedSince.Any(s => Path.GetFullPath(s.File) == file && s.Line == i + 1))
                    throw new GeneratorException(
                        $"{(UserMode ? DisplayName(file) + $":{i + 1}: rule I2" : $"{file}:{i + 1}")}: this @since tag is not attached " +
                        "to a struct or field (put it in the comment directly above the field or trailing on its line)");
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
