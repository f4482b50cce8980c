using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Hosting.Interfaces;
using NativePlugins.Hosting.Transforms;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>A plugin descriptor after validation: the managed copy of its metadata and, for every interface this
/// host knows (np.transform/1 and the registered ones), the interface's vtable read per rule H2.
/// <see cref="Interfaces"/> is null when the plugin lists no registered interface.</summary>
internal sealed record ValidatedPlugin(PluginInfo Info, TransformVTable? Transform, ValidatedInterface[]? Interfaces = null)
{
    /// <summary>The validated vtable of the registered interface <paramref name="id"/>, or null.</summary>
    public ValidatedInterface? Interface(string id)
    {
        if (Interfaces is null) return null;
        foreach (var i in Interfaces)
            if (string.Equals(i.Registered.Id, id, StringComparison.Ordinal)) return i;
        return null;
    }
}

/// <summary>
/// Rule H3 / P2: checks everything a library handed over before the host calls anything in it. Every failure is a
/// <see cref="PluginLoadException"/> with the reason, the file and the plugin id when known.
/// </summary>
/// <remarks>This runs on every load, so a good library costs only the strings and objects that end up in its
/// <see cref="PluginInfo"/>: layout facts are looked up once per process, field names in messages are
/// <see cref="FieldName"/> values and every message is formatted on the failure path only.</remarks>
internal static unsafe partial class DescriptorValidator
{
    /// <summary>More plugins than this in one library is taken as a garbage count, not a real bundle.</summary>
    public const uint MaxPlugins = 4096;

    /// <summary>More interfaces than this on one plugin is taken as a garbage count.</summary>
    public const ulong MaxInterfaces = 256;

    /// <summary>Up to this many plugins, duplicate ids are found by comparing with the earlier ones; a bigger
    /// bundle uses a hash set so that the check stays linear.</summary>
    private const int LinearDuplicateCheckLimit = 16;

    private const string TransformVTableWhat = "the " + NpAbi.NP_TRANSFORM_ID_STRING + " vtable";

    /// <summary>The library descriptor pointer in InvalidPointer refusals: it is np_entry's out parameter.</summary>
    internal const string LibraryPointerField = "np_entry out_library (np_library_t*)";

    private const string InterfaceIdPointerField = "np_interface_t.id.ptr";

    private static readonly StructFacts s_library = AbiLayoutFacts.Get("np_library_t");
    private static readonly StructFacts s_descriptor = AbiLayoutFacts.Get("np_plugin_descriptor_t");
    private static readonly StructFacts s_transform = AbiLayoutFacts.Get("np_transform_v1_t");
    private static readonly uint s_descriptorIdEnd = AbiLayoutFacts.FieldEnd("np_plugin_descriptor_t", "id");
    private static readonly uint s_libraryFlagsEnd = AbiLayoutFacts.FieldEnd("np_library_t", "flags");

    /// <summary><c>np_library_t.flags</c> (NP_LIBRARY_*, @since 1.2) of a library that passed <see cref="Validate"/>;
    /// null when the field is not there to read (rule H2): the agreed minor is below 2 or the library's struct_size
    /// ends before it (a 1.0/1.1 library). A host then infers what the flags would say (from the sdk string).</summary>
    public static ulong? Flags(np_library_t* library, AbiVersion agreed) =>
        s_library.ReadableBytes(*(uint*)library, agreed.Minor) >= s_libraryFlagsEnd ? library->flags : null;

    /// <param name="file">The library file, for messages.</param>
    /// <param name="library">The library descriptor np_entry returned.</param>
    /// <param name="agreed">The negotiated ABI version (rule H2 reads by its minor).</param>
    /// <param name="interfaces">The host's registered interfaces (default: none).</param>
    /// <param name="blocks">Owner of the vtable copies of registered interfaces: the library handle's (a fresh one
    /// when null, for tests that validate descriptors built in memory).</param>
    /// <param name="memory">Where the library's pointers may point (<see cref="LoadedMemory"/>): the loader's check
    /// of the loaded library; unchecked by default, for tests whose descriptors hold placeholder functions.</param>
    public static (np_library_t Library, string Sdk, ImmutableArray<ValidatedPlugin> Plugins) Validate(
        string file, np_library_t* library, AbiVersion agreed, InterfaceRegistry? interfaces = null,
        NativeBlocks? blocks = null, LoadedMemory? memory = null)
    {
        interfaces ??= InterfaceRegistry.Empty;
        memory ??= LoadedMemory.Unchecked;
        PointerCheck.ReadableStruct(memory, library, s_library, agreed.Minor, (uint)sizeof(np_library_t), file, null,
            LibraryPointerField);
        if (*(uint*)library < s_library.MinimumSize) throw TooSmall(library, s_library, file, null, null);
        var lib = PrefixStruct.Read<np_library_t>(library, s_library, agreed.Minor, out _);
        var sdk = DescriptorText.Read(lib.sdk, "library sdk string", file, null, memory, "np_library_t.sdk.ptr");
        if (lib.init == null)
            throw new PluginLoadException(PluginLoadError.NullFunction, file, null, "np_library_t.init is NULL");
        if (lib.deinit == null)
            throw new PluginLoadException(PluginLoadError.NullFunction, file, null, "np_library_t.deinit is NULL");
        PointerCheck.Executable(memory, lib.init, file, null, "np_library_t.init");
        PointerCheck.Executable(memory, lib.deinit, file, null, "np_library_t.deinit");
        if (lib.plugin_count > MaxPlugins)
            throw new PluginLoadException(PluginLoadError.InvalidValue, file, null,
                $"plugin_count is {lib.plugin_count} (at most {MaxPlugins})");
        if (lib.plugin_count > 0 && lib.plugins == null)
            throw new PluginLoadException(PluginLoadError.NullPointer, file, null,
                $"plugin_count is {lib.plugin_count} but plugins is NULL");
        if (lib.plugin_count > 0)
            PointerCheck.Readable(memory, lib.plugins, lib.plugin_count * (ulong)sizeof(np_plugin_descriptor_t*), file,
                null, "np_library_t.plugins");

        int count = (int)lib.plugin_count;
        var plugins = count == 0 ? [] : new ValidatedPlugin[count];
        var seen = count > LinearDuplicateCheckLimit ? new Dictionary<string, int>(count, StringComparer.Ordinal) : null;
        for (int i = 0; i < count; i++)
        {
            var descriptor = lib.plugins[i];
            if (descriptor == null)
                throw new PluginLoadException(PluginLoadError.NullPointer, file, null, $"plugins[{i}] is NULL");
            PointerCheck.ReadableStruct(memory, descriptor, s_descriptor, agreed.Minor, (uint)sizeof(np_plugin_descriptor_t),
                file, null, "np_library_t.plugins[]", new FieldName("plugins", (ulong)i));
            var plugin = ValidatePlugin(file, descriptor, (uint)i, agreed, interfaces, ref blocks, memory);
            var id = plugin.Info.Id;
            int first = -1;
            if (seen is null)
            {
                for (int k = 0; k < i && first < 0; k++)
                    if (string.Equals(plugins[k].Info.Id, id, StringComparison.Ordinal)) first = k;
            }
            else if (!seen.TryAdd(id, i)) first = seen[id];
            if (first >= 0)
                throw new PluginLoadException(PluginLoadError.DuplicateId, file, id,
                    $"plugins[{first}] and plugins[{i}] have the same id");
            plugins[i] = plugin;
        }
        return (lib, sdk, ImmutableCollectionsMarshal.AsImmutableArray(plugins));
    }

    private static ValidatedPlugin ValidatePlugin(string file, np_plugin_descriptor_t* p, uint index, AbiVersion agreed,
        InterfaceRegistry registry, ref NativeBlocks? blocks, LoadedMemory memory)
    {
        if (p->struct_size < s_descriptor.MinimumSize)
            throw TooSmall(p, s_descriptor, file, TentativeId(p, memory), $"plugins[{index}]");
        var d = PrefixStruct.Read<np_plugin_descriptor_t>(p, s_descriptor, agreed.Minor, out _);

        // The id first, so that every later error can name the plugin. Until it is known to be valid, errors name
        // it in its escaped form.
        var idField = new FieldName("plugins", index, "id");
        var idBytes = DescriptorText.Bytes(d.id, idField, file, null, memory, "np_plugin_descriptor_t.id.ptr");
        if (!NativeText.IsUtf8(idBytes)) throw DescriptorText.NotUtf8(idBytes, idField, file, NativeText.Escape(idBytes));
        var id = idBytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(idBytes);
        if (!NpDescriptorRules.IsValidPluginId(id)) throw InvalidId(idBytes, file);

        var name = DescriptorText.Read(d.name, "name", file, id, memory, "np_plugin_descriptor_t.name.ptr");
        if (name.Length == 0)
            throw new PluginLoadException(PluginLoadError.MissingName, file, id, "the name is empty");
        var version = DescriptorText.Read(d.version, "version", file, id, memory, "np_plugin_descriptor_t.version.ptr");
        if (!NpDescriptorRules.IsValidVersion(version))
            throw new PluginLoadException(PluginLoadError.InvalidVersion, file, id,
                $"version '{version}' is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])");
        var description = DescriptorText.Read(d.description, "description", file, id, memory, "np_plugin_descriptor_t.description.ptr");
        var vendor = DescriptorText.Read(d.vendor, "vendor", file, id, memory, "np_plugin_descriptor_t.vendor.ptr");
        if (d.threading != NpAbi.NP_THREADING_SINGLE && d.threading != NpAbi.NP_THREADING_THREAD_SAFE)
            throw new PluginLoadException(PluginLoadError.InvalidThreading, file, id,
                $"threading is {d.threading}; known values are NP_THREADING_SINGLE (0) and NP_THREADING_THREAD_SAFE (1)");

        if (d.interface_count == 0)
            throw new PluginLoadException(PluginLoadError.NoInterfaces, file, id, "the plugin implements no interface");
        if (d.interface_count > MaxInterfaces)
            throw new PluginLoadException(PluginLoadError.InvalidValue, file, id,
                $"interface_count is {d.interface_count} (at most {MaxInterfaces})");
        if (d.interfaces == null)
            throw new PluginLoadException(PluginLoadError.NullPointer, file, id,
                $"interface_count is {d.interface_count} but interfaces is NULL");

        PointerCheck.Readable(memory, d.interfaces, d.interface_count * (ulong)sizeof(np_interface_t), file, id,
            "np_plugin_descriptor_t.interfaces");
        var interfaces = new string[(int)d.interface_count];
        var details = new InterfaceDetail[interfaces.Length];
        // Rule H2: interface_layouts (@since 1.2) was read as NULL unless the descriptor's struct_size and the
        // agreed minor cover it; a NULL array or a fingerprint of 0 means "not given".
        var layouts = d.interface_layouts;
        if (layouts != null)
            PointerCheck.Readable(memory, layouts, d.interface_count * (ulong)sizeof(np_interface_layout_t), file, id,
                "np_plugin_descriptor_t.interface_layouts");
        TransformVTable? transform = null;
        StateVTable? state = null;
        List<ValidatedInterface>? registered = null;
        for (int k = 0; k < interfaces.Length; k++)
        {
            np_interface_t itf = d.interfaces[k];
            np_interface_layout_t layout = layouts == null ? default : layouts[k];
            var itfField = new FieldName("interfaces", (ulong)k, "id");
            var itfBytes = DescriptorText.Bytes(itf.id, itfField, file, id, memory, InterfaceIdPointerField);
            // The interface this host implements is recognised by its bytes: no string to allocate or pattern to
            // match for the common case (the constant is a valid id).
            bool isTransform = itfBytes.SequenceEqual(NpAbi.NP_TRANSFORM_ID);
            string itfId;
            if (isTransform) itfId = NpAbi.NP_TRANSFORM_ID_STRING;
            else
            {
                itfId = DescriptorText.Read(itf.id, itfField, file, id, memory, InterfaceIdPointerField);
                if (!NpDescriptorRules.IsValidInterfaceId(itfId))
                    throw new PluginLoadException(PluginLoadError.InvalidInterfaceId, file, id,
                        $"interface id '{itfId}' is not name/revision (^[a-z0-9]+(\\.[a-z0-9_-]+)*/[1-9][0-9]*$)");
            }
            if (Array.IndexOf(interfaces, itfId, 0, k) >= 0)
                throw new PluginLoadException(PluginLoadError.DuplicateInterface, file, id,
                    $"interface '{itfId}' is listed twice");
            if (itf.vtable == null)
                throw new PluginLoadException(PluginLoadError.NullPointer, file, id,
                    $"the vtable of interface '{itfId}' is NULL");
            uint? minor = null;
            // Every vtable, also of an interface this host does not know: its struct_size is reported.
            PointerCheck.Readable(memory, itf.vtable, sizeof(uint), file, id, "np_interface_t.vtable",
                new FieldName("interfaces", (ulong)k));
            if (isTransform)
                transform = ValidateTransform(file, id, itf.vtable, agreed, memory);
            else if (agreed.Minor >= StateMinor && itfBytes.SequenceEqual(NpAbi.NP_STATE_ID))
                state = ValidateState(file, id, itf.vtable, agreed, memory);
            else if (registry.Find(itfId) is { } known)
            {
                var validated = InterfaceValidator.Validate(file, id, known, itf.vtable, layout, blocks ??= new NativeBlocks(),
                    memory);
                (registered ??= []).Add(validated);
                minor = validated.Minor;
            }
            // Interfaces this host does not know are listed (with what the library says of them) but never called.
            interfaces[k] = itfId;
            details[k] = new InterfaceDetail(itfId, *(uint*)itf.vtable,
                layout.fingerprint == 0 ? null : layout.fingerprint, minor);
        }

        if (transform is not null) transform.State = state; // np.state/1 saves the instances of np.transform/1
        var info = new PluginInfo(id, name, version, description, vendor,
            ImmutableCollectionsMarshal.AsImmutableArray(interfaces), (PluginThreading)d.threading, file, agreed)
        {
            InterfaceDetails = ImmutableCollectionsMarshal.AsImmutableArray(details),
        };
        return new ValidatedPlugin(info, transform, registered?.ToArray());
    }

    private static TransformVTable ValidateTransform(string file, string id, void* vtable, AbiVersion agreed,
        LoadedMemory memory)
    {
        if (*(uint*)vtable < s_transform.MinimumSize) throw TooSmall(vtable, s_transform, file, id, TransformVTableWhat);
        PointerCheck.ReadableStruct(memory, vtable, s_transform, agreed.Minor, (uint)sizeof(np_transform_v1_t), file, id,
            "np_interface_t.vtable", TransformVTableWhat);
        var vt = PrefixStruct.Read<np_transform_v1_t>(vtable, s_transform, agreed.Minor, out _);
        if (vt.create == null) throw NullFunction("create");
        if (vt.destroy == null) throw NullFunction("destroy");
        if (vt.process == null) throw NullFunction("process");
        if (vt.flush == null) throw NullFunction("flush");
        PointerCheck.Executable(memory, vt.create, file, id, "np_transform_v1_t.create");
        PointerCheck.Executable(memory, vt.destroy, file, id, "np_transform_v1_t.destroy");
        PointerCheck.Executable(memory, vt.process, file, id, "np_transform_v1_t.process");
        PointerCheck.Executable(memory, vt.flush, file, id, "np_transform_v1_t.flush");
        // stats is optional (@since 1.1): NULL, or beyond struct_size, or not in the agreed minor = absent.
        if (vt.stats != null) PointerCheck.Executable(memory, vt.stats, file, id, "np_transform_v1_t.stats");
        return new TransformVTable(vt);

        PluginLoadException NullFunction(string fn) =>
            new(PluginLoadError.NullFunction, file, id, $"np_transform_v1_t.{fn} is NULL");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PluginLoadException InvalidId(ReadOnlySpan<byte> idBytes, string file) =>
        new(PluginLoadError.InvalidId, file, NativeText.Escape(idBytes),
            idBytes.Length > NpDescriptorRules.MaxPluginIdBytes
                ? $"the id is {idBytes.Length} bytes long (at most {NpDescriptorRules.MaxPluginIdBytes})"
                : "the id is not reverse-DNS (^[a-z0-9]+(\\.[a-z0-9_-]+)+$), e.g. org.example.upper");

    /// <summary>The id of a descriptor that failed a size check, for the error message only: read when
    /// struct_size covers it and it looks like a string, else null.</summary>
    private static string? TentativeId(np_plugin_descriptor_t* p, LoadedMemory memory)
    {
        if (p->struct_size < s_descriptorIdEnd) return null;
        var s = p->id;
        if (s.ptr == null || s.len == 0 || s.len > NpDescriptorRules.MaxPluginIdBytes) return null;
        if (!memory.IsReadable(s.ptr, s.len)) return null;
        return NativeText.Escape(new ReadOnlySpan<byte>(s.ptr, (int)s.len));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PluginLoadException TooSmall(void* source, StructFacts layout, string file, string? id, string? what) =>
        new(PluginLoadError.StructTooSmall, file, id,
            $"{what ?? layout.Name} has struct_size {*(uint*)source}; {layout.Name} is {layout.MinimumSize} bytes at ABI {NpAbi.NP_ABI_MAJOR}.0");
}
