// Rules I2 (revision of @since tags), I3 (vtables), I4 (required or optional) and I5 (instance lifecycle) of
// interop/interfaces.md: finds the `@interface` vtables of the user's headers and builds one InterfaceModel per
// vtable, with its functions' roles, thread tags and wrapper shapes (rule I6, WrapperShapes), the structs it reaches
// and its fingerprint per minor.
using System.Text.RegularExpressions;
using NativePlugins.Generator.Layout;
using NativePlugins.Generator.Model;
using NativePlugins.Generator.Parsing;

namespace NativePlugins.Generator.Bindgen;

internal static partial class InterfaceReader
{
    [GeneratedRegex(@"@interface\b\s*(\S*)")]
    private static partial Regex InterfaceTag();

    [GeneratedRegex(@"@(create|destroy)\b")]
    private static partial Regex RoleTag();

    [GeneratedRegex(@"\[(thread-safe|instance|leaf)\]")]
    private static partial Regex ThreadTag();

    public static IReadOnlyList<InterfaceModel> Read(ParsedHeaders parsed)
    {
        var (model, sites) = parsed;
        CheckEveryInterfaceTagIsAttached(model, sites);
        var interfaces = new List<InterfaceModel>();
        foreach (var s in model.Structs)
        {
            var tag = InterfaceTag().Match(s.Doc);
            if (!tag.Success) continue;
            var site = sites.Struct(s.Name);
            string id = tag.Groups[1].Value;
            if (!InterfaceIds.IsValid(id))
                throw Refusal.At(site, 3, $"{s.Name}: `@interface {id}` is not an interface id: write `@interface ns.name/revision` " +
                                          "(lower-case labels separated by dots, then / and a revision from 1, e.g. acme.greeter/1)");
            if (interfaces.FirstOrDefault(i => i.Id == id) is { } twin)
                throw Refusal.At(site, 3, $"{s.Name}: interface {id} is already the vtable {twin.VTable.Name}; a new revision is a new id");
            if (s.IsOpaque)
                throw Refusal.At(site, 3, $"{s.Name}: an @interface vtable must be defined (struct_size, reserved, then function pointers)");
            interfaces.Add(ReadInterface(model, sites, s, id));
        }
        if (interfaces.Count == 0)
            throw Refusal.At(sites.Headers[0].File, 1, 3,
                "no @interface vtable: document the vtable struct with `@interface ns.name/revision` (interop/interfaces.md)");
        return interfaces;
    }

    private static InterfaceModel ReadInterface(AbiModel model, DeclarationSites sites, AbiStruct vtable, string id)
    {
        uint revision = InterfaceIds.Revision(id);
        var site = sites.Struct(vtable.Name);
        var f = vtable.Fields;
        if (f.Count < 2 || f[0].Name != "struct_size" || f[0].Type.Canonical != "uint32_t" ||
            f[1].Name != "reserved" || f[1].Type.Canonical != "uint32_t")
            throw Refusal.At(site, 3, $"{vtable.Name}: a vtable starts with `uint32_t struct_size;` and `uint32_t reserved;`");

        var raw = new List<(AbiField Field, FunctionPointerType Type, SourceSite Site)>();
        foreach (var field in f.Skip(2))
        {
            var fieldSite = sites.Field(vtable.Name, field.Name);
            if (field.Type is not FunctionPointerType fn)
                throw Refusal.At(fieldSite, 3, $"{vtable.Name}.{field.Name}: a vtable holds only function pointers after struct_size " +
                                               "and reserved; put data in a struct a function returns");
            raw.Add((field, fn, fieldSite));
        }

        var instance = InstanceType(model, sites, vtable, raw);
        var functions = new List<InterfaceFunction>();
        foreach (var (field, fn, fieldSite) in raw)
        {
            string where = $"{vtable.Name}.{field.Name}";
            bool never = field.Doc.Contains("Never NULL", StringComparison.Ordinal);
            bool optional = field.Doc.Contains("Optional", StringComparison.Ordinal);
            if (never == optional)
                throw Refusal.At(fieldSite, 4, $"{where}: its doc comment must say either `Never NULL` (every library provides it) " +
                                               $"or `Optional` (it may be NULL){(never ? ", not both" : "")}");
            var roles = RoleTag().Matches(field.Doc).Select(m => m.Groups[1].Value).Distinct().ToList();
            if (roles.Count > 1) throw Refusal.At(fieldSite, 5, $"{where}: is tagged both @create and @destroy");
            var role = roles.Count == 0 ? FunctionRole.Method : roles[0] == "create" ? FunctionRole.Create : FunctionRole.Destroy;
            if (role != FunctionRole.Method && !never)
                throw Refusal.At(fieldSite, 5, $"{where}: @{roles[0]} is required: say `Never NULL`, not `Optional`");
            var (shape, reason) = role == FunctionRole.Method ? WrapperShapes.Of(fn, instance, field.Doc) : (null, null);
            var threadTags = ThreadTag().Matches(field.Doc).Select(m => m.Groups[1].Value).Distinct().ToList();
            functions.Add(new InterfaceFunction(field, fn, never, role, shape, reason, threadTags));
        }

        var structs = ReachableStructs(model, vtable);
        foreach (var s in structs) CheckRevision(sites, s, id, revision);
        uint newest = structs.SelectMany(s => s.Fields.Select(x => x.SinceMinor).Append(s.SinceMinor)).Max();
        var fingerprints = Enumerable.Range(0, (int)newest + 1).Select(m => LayoutFingerprint.Compute(structs, (uint)m)).ToList();
        return new InterfaceModel(id, revision, newest, vtable, instance, structs, functions, fingerprints);
    }

    /// <summary>Rule I5: the opaque T of <c>@create</c>'s <c>T **out_instance</c>, with both lifecycle functions
    /// checked; null for an interface without instances (neither @create nor @destroy).</summary>
    private static AbiStruct? InstanceType(AbiModel model, DeclarationSites sites, AbiStruct vtable,
        List<(AbiField Field, FunctionPointerType Type, SourceSite Site)> functions)
    {
        var creates = functions.Where(x => Role(x.Field) == "create").ToList();
        var destroys = functions.Where(x => Role(x.Field) == "destroy").ToList();
        if (creates.Count > 1) throw Refusal.At(creates[1].Site, 5, $"{vtable.Name}.{creates[1].Field.Name}: a second @create (after {creates[0].Field.Name})");
        if (destroys.Count > 1) throw Refusal.At(destroys[1].Site, 5, $"{vtable.Name}.{destroys[1].Field.Name}: a second @destroy (after {destroys[0].Field.Name})");
        // No lifecycle tags: an interface without instances (its functions may still take opaque handles as data).
        if (creates.Count == 0 && destroys.Count == 0) return null;
        if (creates.Count == 0)
            throw Refusal.At(sites.Struct(vtable.Name), 5, $"{vtable.Name}: {destroys[0].Field.Name} is tagged @destroy but no function is tagged " +
                                                          "@create: tag the function that creates an instance `@create`");
        if (destroys.Count == 0)
            throw Refusal.At(sites.Struct(vtable.Name), 5, $"{vtable.Name}: {creates[0].Field.Name} is tagged @create but no function is tagged " +
                                                          "@destroy: tag the function that destroys an instance `@destroy`");

        var create = creates[0];
        const string createShape = "np_status (*)(const np_host_t *host, np_str_t config, T **out_instance, np_error_t *error)";
        var cp = create.Type.Parameters;
        bool createOk = create.Type.Return is AliasType { Name: "np_status" } && cp.Count == 4 &&
                        cp[0].Type is PointerType { Pointee: StructType { Name: "np_host_t" }, PointeeConst: true } &&
                        cp[1].Type is StructType { Name: "np_str_t" } &&
                        cp[2].Type is PointerType { Pointee: PointerType { Pointee: StructType, PointeeConst: false }, PointeeConst: false } &&
                        cp[3].Type is PointerType { Pointee: StructType { Name: "np_error_t" }, PointeeConst: false };
        if (!createOk)
            throw Refusal.At(create.Site, 5, $"{vtable.Name}.{create.Field.Name}: @create is `{create.Type.Canonical}`; it must be `{createShape}`");
        string instanceName = ((StructType)((PointerType)((PointerType)cp[2].Type).Pointee).Pointee).Name;
        var instance = model.Structs.FirstOrDefault(s => s.Name == instanceName);
        if (instance is not { IsOpaque: true })
            throw Refusal.At(create.Site, 5, $"{vtable.Name}.{create.Field.Name}: the instance type {instanceName} must be an opaque struct of " +
                                             $"this header (`typedef struct x {instanceName};` with no definition)");

        var destroy = destroys[0];
        var dp = destroy.Type.Parameters;
        if (destroy.Type.Return != PrimitiveType.Void || dp.Count != 1 ||
            dp[0].Type is not PointerType { Pointee: StructType ds, PointeeConst: false } || ds.Name != instanceName)
            throw Refusal.At(destroy.Site, 5, $"{vtable.Name}.{destroy.Field.Name}: @destroy is `{destroy.Type.Canonical}`; it must be " +
                                              $"`void (*)({instanceName} *instance)`");
        return instance;
    }

    private static string? Role(AbiField field)
    {
        var m = RoleTag().Match(field.Doc);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>The vtable, then every laid-out struct of the user's headers its function signatures mention,
    /// transitively (through pointers, arrays and the fields of the structs reached), in declaration order.</summary>
    private static IReadOnlyList<AbiStruct> ReachableStructs(AbiModel model, AbiStruct vtable)
    {
        var byName = model.Structs.Where(s => !s.IsOpaque).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var reached = new HashSet<string>(StringComparer.Ordinal) { vtable.Name };
        var pending = new Stack<AbiType>(vtable.Fields.Select(f => f.Type));
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case StructType s when byName.TryGetValue(s.Name, out var found) && reached.Add(s.Name):
                    foreach (var f in found.Fields) pending.Push(f.Type);
                    break;
                case PointerType p: pending.Push(p.Pointee); break;
                case ArrayType a: pending.Push(a.Element); break;
                case AliasType a: pending.Push(a.Target); break;
                case FunctionPointerType fn:
                    pending.Push(fn.Return);
                    foreach (var p in fn.Parameters) pending.Push(p.Type);
                    break;
            }
        }
        return [vtable, .. model.Structs.Where(s => s != vtable && reached.Contains(s.Name))];
    }

    /// <summary>Rule I2: an interface's structs count minors of its own revision (`@since R.M`, R = revision).</summary>
    private static void CheckRevision(DeclarationSites sites, AbiStruct s, string id, uint revision)
    {
        var structSite = sites.Struct(s.Name);
        var tagged = s.Fields.Select(f => sites.Field(s.Name, f.Name)).Prepend(structSite).Where(x => x.Since is not null);
        foreach (var site in tagged)
            if (site.Since!.Revision != revision)
                throw Refusal.At(site.File, site.Since.Line, 2,
                    $"@since {site.Since.Revision}.{site.Since.Minor} in {s.Name} names revision {site.Since.Revision}, but {s.Name} belongs to " +
                    $"{id}: write @since {revision}.{site.Since.Minor} (a new revision is a new interface id)");
    }

    /// <summary>An <c>@interface</c> tag outside a struct's doc comment would silently leave a vtable unchecked.</summary>
    private static void CheckEveryInterfaceTagIsAttached(AbiModel model, DeclarationSites sites)
    {
        var docs = model.Structs.Select(s => sites.Struct(s.Name)).Where(s => s.DocFirstLine > 0).ToList();
        foreach (var (file, lines) in sites.Headers)
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Contains("@interface", StringComparison.Ordinal) &&
                    !docs.Any(d => d.File == file && d.DocFirstLine <= i + 1 && i + 1 <= d.DocLastLine))
                    throw Refusal.At(file, i + 1, 3, "this @interface tag is not attached to a struct: put it in the doc comment " +
                                                     "directly above the vtable's typedef struct");
    }
}
