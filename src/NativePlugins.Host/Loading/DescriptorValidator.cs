using System.Collections.Immutable;
using NativePlugins.Hosting.Transforms;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>A plugin descriptor after validation: the managed copy of its metadata and, when it implements an
/// interface this host knows, the interface's vtable read per rule H2.</summary>
internal sealed record ValidatedPlugin(PluginInfo Info, TransformVTable? Transform);

/// <summary>
/// Rule H3 / P2: checks everything a library handed over before the host calls anything in it. Every failure is a
/// <see cref="PluginLoadException"/> with the reason, the file and the plugin id when known.
/// </summary>
internal static unsafe class DescriptorValidator
{
    /// <summary>More plugins than this in one library is taken as a garbage count, not a real bundle.</summary>
    public const uint MaxPlugins = 4096;

    /// <summary>More interfaces than this on one plugin is taken as a garbage count.</summary>
    public const ulong MaxInterfaces = 256;

    public static (np_library_t Library, string Sdk, ImmutableArray<ValidatedPlugin> Plugins) Validate(
        string file, np_library_t* library, AbiVersion agreed)
    {
        var lib = ReadPrefix<np_library_t>(library, "np_library_t", agreed.Minor, file, null);
        var sdk = NativeText.Read(lib.sdk, "library sdk string", file, null);
        if (lib.init == null)
            throw new PluginLoadException(PluginLoadError.NullFunction, file, null, "np_library_t.init is NULL");
        if (lib.deinit == null)
            throw new PluginLoadException(PluginLoadError.NullFunction, file, null, "np_library_t.deinit is NULL");
        if (lib.plugin_count > MaxPlugins)
            throw new PluginLoadException(PluginLoadError.InvalidValue, file, null,
                $"plugin_count is {lib.plugin_count} (at most {MaxPlugins})");
        if (lib.plugin_count > 0 && lib.plugins == null)
            throw new PluginLoadException(PluginLoadError.NullPointer, file, null,
                $"plugin_count is {lib.plugin_count} but plugins is NULL");

        var plugins = ImmutableArray.CreateBuilder<ValidatedPlugin>((int)lib.plugin_count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (uint i = 0; i < lib.plugin_count; i++)
        {
            var descriptor = lib.plugins[i];
            if (descriptor == null)
                throw new PluginLoadException(PluginLoadError.NullPointer, file, null, $"plugins[{i}] is NULL");
            var plugin = ValidatePlugin(file, descriptor, i, agreed);
            if (seen.TryGetValue(plugin.Info.Id, out var first))
                throw new PluginLoadException(PluginLoadError.DuplicateId, file, plugin.Info.Id,
                    $"plugins[{first}] and plugins[{i}] have the same id");
            seen.Add(plugin.Info.Id, (int)i);
            plugins.Add(plugin);
        }
        return (lib, sdk, plugins.MoveToImmutable());
    }

    private static ValidatedPlugin ValidatePlugin(string file, np_plugin_descriptor_t* p, uint index, AbiVersion agreed)
    {
        var d = ReadPrefix<np_plugin_descriptor_t>(p, "np_plugin_descriptor_t", agreed.Minor, file, TentativeId(p),
            $"plugins[{index}]");

        // The id first, so that every later error can name the plugin.
        var idBytes = NativeText.Bytes(d.id, $"plugins[{index}].id", file, null);
        var shownId = NativeText.Escape(idBytes);
        var id = NativeText.Read(d.id, $"plugins[{index}].id", file, shownId);
        if (!NpDescriptorRules.IsValidPluginId(id))
            throw new PluginLoadException(PluginLoadError.InvalidId, file, shownId,
                idBytes.Length > NpDescriptorRules.MaxPluginIdBytes
                    ? $"the id is {idBytes.Length} bytes long (at most {NpDescriptorRules.MaxPluginIdBytes})"
                    : "the id is not reverse-DNS (^[a-z0-9]+(\\.[a-z0-9_-]+)+$), e.g. org.example.upper");

        var name = NativeText.Read(d.name, "name", file, id);
        if (name.Length == 0)
            throw new PluginLoadException(PluginLoadError.MissingName, file, id, "the name is empty");
        var version = NativeText.Read(d.version, "version", file, id);
        if (!NpDescriptorRules.IsValidVersion(version))
            throw new PluginLoadException(PluginLoadError.InvalidVersion, file, id,
                $"version '{version}' is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])");
        var description = NativeText.Read(d.description, "description", file, id);
        var vendor = NativeText.Read(d.vendor, "vendor", file, id);
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

        var interfaces = ImmutableArray.CreateBuilder<string>((int)d.interface_count);
        TransformVTable? transform = null;
        for (ulong k = 0; k < d.interface_count; k++)
        {
            np_interface_t itf = d.interfaces[k];
            var itfId = NativeText.Read(itf.id, $"interfaces[{k}].id", file, id);
            if (!NpDescriptorRules.IsValidInterfaceId(itfId))
                throw new PluginLoadException(PluginLoadError.InvalidInterfaceId, file, id,
                    $"interface id '{itfId}' is not name/revision (^[a-z0-9]+(\\.[a-z0-9_-]+)*/[1-9][0-9]*$)");
            if (interfaces.Contains(itfId))
                throw new PluginLoadException(PluginLoadError.DuplicateInterface, file, id,
                    $"interface '{itfId}' is listed twice");
            if (itf.vtable == null)
                throw new PluginLoadException(PluginLoadError.NullPointer, file, id,
                    $"the vtable of interface '{itfId}' is NULL");
            if (itfId == NpAbi.NP_TRANSFORM_ID_STRING)
                transform = ValidateTransform(file, id, itf.vtable, agreed);
            // Interfaces this host does not know are listed but never called.
            interfaces.Add(itfId);
        }

        var info = new PluginInfo(id, name, version, description, vendor, interfaces.MoveToImmutable(),
            (PluginThreading)d.threading, file, agreed);
        return new ValidatedPlugin(info, transform);
    }

    private static TransformVTable ValidateTransform(string file, string id, void* vtable, AbiVersion agreed)
    {
        var vt = ReadPrefix<np_transform_v1_t>(vtable, "np_transform_v1_t", agreed.Minor, file, id,
            $"the {NpAbi.NP_TRANSFORM_ID_STRING} vtable");
        if (vt.create == null) throw NullFunction("create");
        if (vt.destroy == null) throw NullFunction("destroy");
        if (vt.process == null) throw NullFunction("process");
        if (vt.flush == null) throw NullFunction("flush");
        // stats is optional (@since 1.1): NULL, or beyond struct_size, or not in the agreed minor = absent.
        return new TransformVTable(vt);

        PluginLoadException NullFunction(string fn) =>
            new(PluginLoadError.NullFunction, file, id, $"np_transform_v1_t.{fn} is NULL");
    }

    /// <summary>The id of a descriptor that failed a size check, for the error message only: read when
    /// struct_size covers it and it looks like a string, else null.</summary>
    private static string? TentativeId(np_plugin_descriptor_t* p)
    {
        if (p->struct_size < AbiLayoutFacts.FieldEnd("np_plugin_descriptor_t", "id")) return null;
        var s = p->id;
        if (s.ptr == null || s.len == 0 || s.len > NpDescriptorRules.MaxPluginIdBytes) return null;
        return NativeText.Escape(new ReadOnlySpan<byte>(s.ptr, (int)s.len));
    }

    private static T ReadPrefix<T>(void* source, string structName, uint agreedMinor, string file, string? id,
        string? what = null) where T : unmanaged
    {
        var size = *(uint*)source;
        var minimum = AbiLayoutFacts.MinimumSize(structName);
        if (size < minimum)
            throw new PluginLoadException(PluginLoadError.StructTooSmall, file, id,
                $"{what ?? structName} has struct_size {size}; {structName} is {minimum} bytes at ABI {NpAbi.NP_ABI_MAJOR}.0");
        return PrefixStruct.Read<T>(source, structName, agreedMinor, out _);
    }
}
