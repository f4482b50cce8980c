using System.Text;
using System.Text.RegularExpressions;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>Limits of how much of a library's descriptors the runner reads. The syntax rules of rule P2 themselves
/// are NpDescriptorRules, shared with the host.</summary>
internal static class SnapshotLimits
{
    /// <summary>More plugins or interfaces than this is taken as a garbage count, not read.</summary>
    public const ulong MaxCount = 4096;
}

/// <summary>The np_interface_layout_t entry of an interface (np_plugin_descriptor_t.interface_layouts, ABI 1.2).</summary>
/// <param name="Fingerprint">The interface fingerprint the library's compiler saw; 0 means "not given".</param>
/// <param name="Report">The interface's layout report, or 0.</param>
internal sealed record InterfaceLayoutSnapshot(ulong Fingerprint, IntPtr Report);

/// <summary>One interface entry of a plugin descriptor.</summary>
/// <param name="Id">The interface id bytes, or null when unreadable.</param>
/// <param name="Vtable">The vtable pointer as given.</param>
/// <param name="Layout">Its interface_layouts entry; null when the descriptor's struct_size does not cover
/// interface_layouts (a 1.0/1.1 library, rule H2) or the library set it to NULL.</param>
internal sealed record InterfaceSnapshot(byte[]? Id, IntPtr Vtable, InterfaceLayoutSnapshot? Layout = null)
{
    public string DisplayId => Id is null ? "(unreadable id)" : NativeText.Show(Id);
    public bool Is(string id) => Id is not null && Id.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(id));
}

/// <summary>One plugin descriptor, copied out of the library, with its rule P2 problems.</summary>
internal sealed class PluginSnapshot
{
    public required int Index { get; init; }
    public uint StructSize { get; init; }
    public uint Threading { get; init; }
    public byte[]? Id { get; init; }
    public byte[]? Name { get; init; }
    public byte[]? Version { get; init; }
    public byte[]? Description { get; init; }
    public byte[]? Vendor { get; init; }
    public List<InterfaceSnapshot> Interfaces { get; } = [];
    /// <summary>Problems of the descriptor itself: size, strings, id, version, threading.</summary>
    public List<string> Problems { get; } = [];
    /// <summary>Problems of its interface list and vtables.</summary>
    public List<string> InterfaceProblems { get; } = [];

    /// <summary>The id for reports: the id when readable, otherwise "plugins[i]".</summary>
    public string DisplayId => Id is { Length: > 0 } id ? NativeText.Show(id, 128) : $"plugins[{Index}]";

    public string ThreadingName => Threading switch
    {
        NpAbi.NP_THREADING_SINGLE => "single",
        NpAbi.NP_THREADING_THREAD_SAFE => "thread-safe",
        _ => $"unknown ({Threading})",
    };

    public InterfaceSnapshot? Find(string id) => Interfaces.FirstOrDefault(i => i.Is(id));
}

/// <summary>
/// The library descriptor and everything it points to, copied into managed memory and checked against rule P2.
/// Reading goes only as far as the pointers and counts allow: a NULL pointer, an absurd count or a pointer outside
/// readable memory (executable, for functions: rule H3, <see cref="LoadedMemory"/>, the host's own check) is a
/// problem naming the field, not a dereference.
/// </summary>
internal sealed unsafe partial class LibrarySnapshot
{
    public uint StructSize { get; private init; }
    public uint PluginCount { get; private init; }
    public byte[]? Sdk { get; private init; }
    public List<PluginSnapshot> Plugins { get; } = [];
    /// <summary>Problems of np_library_t itself.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Size of np_transform_v1_t at ABI x.0 (before <c>stats</c>, @since 1.1), from the layout manifest.</summary>
    public static uint TransformSizeAt10 { get; } = SizeAtFirstMinor("np_transform_v1_t");
    public static uint LibrarySizeAt10 { get; } = SizeAtFirstMinor("np_library_t");
    public static uint PluginSizeAt10 { get; } = SizeAtFirstMinor("np_plugin_descriptor_t");

    private static uint SizeAtFirstMinor(string name) =>
        NpAbiLayout.Find(name)?.SizeAt(0) ?? throw new InvalidOperationException($"{name} is not in the layout manifest");

    /// <summary>False when np_library_t could not be read at all (its pointer is not readable memory).</summary>
    public bool Readable { get; private init; } = true;

    /// <summary>init and deinit point into executable memory (false also when they are NULL).</summary>
    public bool InitCallable { get; private init; }

    /// <summary>Reads the descriptors <paramref name="library"/> points to. <paramref name="memory"/>: the map to check
    /// every pointer against before it is read, made after the np_entry call that returned <paramref name="library"/>
    /// (<see cref="LoadedMemory.ForLibrary"/> with np_entry's address).</summary>
    public static LibrarySnapshot Read(np_library_t* library, LoadedMemory memory)
    {
        if (!memory.IsReadable(library, sizeof(uint)) ||
            !memory.IsReadable(library, Math.Min(*(uint*)library, (uint)sizeof(np_library_t))))
        {
            var unreadable = new LibrarySnapshot { Readable = false };
            unreadable.Problems.Add(Unreadable("*out_library (the np_library_t pointer)", library, (ulong)sizeof(np_library_t)));
            return unreadable;
        }
        var lib = ReadPrefix(library, out var libSize);
        var snapshot = new LibrarySnapshot
        {
            StructSize = libSize,
            PluginCount = lib.plugin_count,
            Sdk = CopyText(lib.sdk, memory, out var sdkProblem),
            InitCallable = lib.init != null && lib.deinit != null && memory.IsExecutable(lib.init) && memory.IsExecutable(lib.deinit),
        };
        var p = snapshot.Problems;
        if (lib.init != null && !memory.IsExecutable(lib.init)) p.Add(NotExecutable("init", lib.init));
        if (lib.deinit != null && !memory.IsExecutable(lib.deinit)) p.Add(NotExecutable("deinit", lib.deinit));
        if (libSize < LibrarySizeAt10)
            p.Add($"np_library_t.struct_size is {libSize}, smaller than its size at ABI 1.0 ({LibrarySizeAt10})");
        if (sdkProblem is not null) p.Add($"sdk {sdkProblem}");
        else if (!NativeText.IsUtf8(snapshot.Sdk)) p.Add($"sdk is not valid UTF-8: {NativeText.Quote(snapshot.Sdk)}");
        if (lib.init == null) p.Add("init is NULL");
        if (lib.deinit == null) p.Add("deinit is NULL");
        if (lib.plugin_count == 0) p.Add("plugin_count is 0: the library offers no plugin");
        if (lib.plugin_count > SnapshotLimits.MaxCount)
        {
            p.Add($"plugin_count is {lib.plugin_count} (more than {SnapshotLimits.MaxCount}: taken as garbage)");
            return snapshot;
        }
        if (lib.plugin_count > 0 && lib.plugins == null)
        {
            p.Add($"plugin_count is {lib.plugin_count} but plugins is NULL");
            return snapshot;
        }
        if (!memory.IsReadable(lib.plugins, lib.plugin_count * (ulong)sizeof(void*)))
        {
            p.Add(Unreadable("plugins", lib.plugins, lib.plugin_count * (ulong)sizeof(void*)));
            return snapshot;
        }
        for (var i = 0; i < (int)lib.plugin_count; i++)
        {
            var d = lib.plugins[i];
            if (d == null) { p.Add($"plugins[{i}] is NULL"); continue; }
            if (!memory.IsReadable(d, sizeof(uint)) || !memory.IsReadable(d, Math.Min(*(uint*)d, (uint)sizeof(np_plugin_descriptor_t))))
            {
                p.Add(Unreadable($"plugins[{i}]", d, (ulong)sizeof(np_plugin_descriptor_t)));
                continue;
            }
            snapshot.Plugins.Add(ReadPlugin(d, i, memory));
        }
        foreach (var dup in snapshot.Plugins.Where(x => x.Id is { Length: > 0 }).GroupBy(x => Convert.ToHexString(x.Id!)).Where(g => g.Count() > 1))
        {
            var first = dup.First();
            first.Problems.Add($"id '{first.DisplayId}' is used by plugins[{string.Join("], plugins[", dup.Select(x => x.Index))}]: ids must be unique");
        }
        return snapshot;
    }

    private static PluginSnapshot ReadPlugin(np_plugin_descriptor_t* descriptor, int index, LoadedMemory memory)
    {
        var d = ReadPrefix(descriptor, out var size);
        var plugin = new PluginSnapshot
        {
            Index = index,
            StructSize = size,
            Threading = d.threading,
            Id = CopyText(d.id, memory, out var idProblem),
            Name = CopyText(d.name, memory, out var nameProblem),
            Version = CopyText(d.version, memory, out var versionProblem),
            Description = CopyText(d.description, memory, out var descriptionProblem),
            Vendor = CopyText(d.vendor, memory, out var vendorProblem),
        };
        var p = plugin.Problems;
        var where = $"plugins[{index}]";
        if (size < PluginSizeAt10)
            p.Add($"{where}.struct_size is {size}, smaller than its size at ABI 1.0 ({PluginSizeAt10})");

        if (idProblem is not null) p.Add($"{where}.id {idProblem}");
        else if (!NativeText.IsUtf8(plugin.Id)) p.Add($"{where}.id is not valid UTF-8: {NativeText.Quote(plugin.Id)}");
        else if (plugin.Id!.Length > NpDescriptorRules.MaxPluginIdBytes)
            p.Add($"{where}.id is {plugin.Id.Length} bytes long (at most {NpDescriptorRules.MaxPluginIdBytes})");
        else if (!NpDescriptorRules.IsValidPluginId(Encoding.UTF8.GetString(plugin.Id)))
            p.Add($"{where}.id {NativeText.Quote(plugin.Id)} is not reverse-DNS (^[a-z0-9]+(\\.[a-z0-9_-]+)+$)");

        if (nameProblem is not null) p.Add($"{where}.name {nameProblem}");
        else if (plugin.Name!.Length == 0) p.Add($"{where}.name is empty");
        else if (!NativeText.IsUtf8(plugin.Name)) p.Add($"{where}.name is not valid UTF-8: {NativeText.Quote(plugin.Name)}");

        if (versionProblem is not null) p.Add($"{where}.version {versionProblem}");
        else if (!NativeText.IsUtf8(plugin.Version) || !NpDescriptorRules.IsValidVersion(Encoding.UTF8.GetString(plugin.Version!)))
            p.Add($"{where}.version {NativeText.Quote(plugin.Version)} is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])");

        if (descriptionProblem is not null) p.Add($"{where}.description {descriptionProblem}");
        else if (!NativeText.IsUtf8(plugin.Description)) p.Add($"{where}.description is not valid UTF-8");
        if (vendorProblem is not null) p.Add($"{where}.vendor {vendorProblem}");
        else if (!NativeText.IsUtf8(plugin.Vendor)) p.Add($"{where}.vendor is not valid UTF-8");

        if (d.threading != NpAbi.NP_THREADING_SINGLE && d.threading != NpAbi.NP_THREADING_THREAD_SAFE)
            p.Add($"{where}.threading is {d.threading}: not NP_THREADING_SINGLE (0) or NP_THREADING_THREAD_SAFE (1)");

        ReadInterfaces(plugin, d, where, memory);
        return plugin;
    }

    private static void ReadInterfaces(PluginSnapshot plugin, np_plugin_descriptor_t d, string where, LoadedMemory memory)
    {
        var p = plugin.InterfaceProblems;
        if (d.interface_count == 0) { p.Add($"{where} lists no interface (at least one is required)"); return; }
        if (d.interface_count > SnapshotLimits.MaxCount)
        {
            p.Add($"{where}.interface_count is {d.interface_count} (more than {SnapshotLimits.MaxCount}: taken as garbage)");
            return;
        }
        if (d.interfaces == null) { p.Add($"{where}.interface_count is {d.interface_count} but interfaces is NULL"); return; }
        if (!memory.IsReadable(d.interfaces, d.interface_count * (ulong)sizeof(np_interface_t)))
        {
            p.Add(Unreadable($"{where}.interfaces", d.interfaces, d.interface_count * (ulong)sizeof(np_interface_t)));
            return;
        }
        if (d.interface_layouts != null && !memory.IsReadable(d.interface_layouts, d.interface_count * (ulong)sizeof(np_interface_layout_t)))
        {
            p.Add(Unreadable($"{where}.interface_layouts", d.interface_layouts, d.interface_count * (ulong)sizeof(np_interface_layout_t)));
            d.interface_layouts = null;
        }
        for (var i = 0; i < (int)d.interface_count; i++)
        {
            var entry = d.interfaces[i];
            var id = CopyText(entry.id, memory, out var idProblem);
            // ReadPrefix zeroed interface_layouts when struct_size does not cover it, so NULL means "not given" both ways.
            var layout = d.interface_layouts == null
                ? null
                : new InterfaceLayoutSnapshot(d.interface_layouts[i].fingerprint, (IntPtr)d.interface_layouts[i].report);
            var iface = new InterfaceSnapshot(id, (IntPtr)entry.vtable, layout);
            plugin.Interfaces.Add(iface);
            var at = $"{where}.interfaces[{i}]";
            if (idProblem is not null) p.Add($"{at}.id {idProblem}");
            else if (!NativeText.IsUtf8(id) || !NpDescriptorRules.IsValidInterfaceId(Encoding.UTF8.GetString(id!)))
                p.Add($"{at}.id {NativeText.Quote(id)} is not name/revision (^[a-z0-9]+(\\.[a-z0-9_-]+)*/[1-9][0-9]*$)");
            if (entry.vtable == null) { p.Add($"{at} ({iface.DisplayId}) has a NULL vtable"); continue; }
            if (!memory.IsReadable(entry.vtable, sizeof(uint)))
            {
                p.Add(Unreadable($"{at}.vtable ({iface.DisplayId})", entry.vtable, sizeof(uint)));
                continue;
            }
            var vtableSize = *(uint*)entry.vtable;
            if (vtableSize < 8) p.Add($"{at} ({iface.DisplayId}): vtable struct_size is {vtableSize}");
            if (iface.Is(NpAbi.NP_TRANSFORM_ID_STRING)) CheckTransformVtable((np_transform_v1_t*)entry.vtable, at, p, memory);
        }
        foreach (var dup in plugin.Interfaces.Where(x => x.Id is not null).GroupBy(x => Convert.ToHexString(x.Id!)).Where(g => g.Count() > 1))
            p.Add($"{where} lists interface '{dup.First().DisplayId}' {dup.Count()} times: ids must be unique per plugin");
    }

    private static void CheckTransformVtable(np_transform_v1_t* vt, string at, List<string> p, LoadedMemory memory)
    {
        var size = vt->struct_size;
        if (size < TransformSizeAt10)
        {
            p.Add($"{at} (np.transform/1): struct_size is {size}, smaller than its size at ABI 1.0 ({TransformSizeAt10})");
            return;
        }
        if (!memory.IsReadable(vt, Math.Min(size, (uint)sizeof(np_transform_v1_t))))
        {
            p.Add(Unreadable($"{at}.vtable (np.transform/1)", vt, Math.Min(size, (uint)sizeof(np_transform_v1_t))));
            return;
        }
        Function(vt->create, "create");
        Function(vt->destroy, "destroy");
        Function(vt->process, "process");
        Function(vt->flush, "flush");
        if (size >= (uint)sizeof(np_transform_v1_t) && vt->stats != null && !memory.IsExecutable(vt->stats))
            p.Add(NotExecutable($"{at} (np.transform/1): stats", vt->stats));
        if (vt->reserved != 0) p.Add($"{at} (np.transform/1): reserved is {vt->reserved} (must be 0)");

        void Function(void* fn, string name)
        {
            if (fn == null) p.Add($"{at} (np.transform/1): {name} is NULL");
            else if (!memory.IsExecutable(fn)) p.Add(NotExecutable($"{at} (np.transform/1): {name}", fn));
        }
    }

    /// <summary>A descriptor string, its pointer checked first: within the size limit and not NULL,
    /// <see cref="NativeText.TryCopyBytes"/> would read it.</summary>
    private static byte[]? CopyText(np_str_t s, LoadedMemory memory, out string? problem)
    {
        if (s.ptr != null && s.len > 0 && s.len <= NativeText.MaxDescriptorStringBytes && !memory.IsReadable(s.ptr, s.len))
        {
            problem = $"is at 0x{(nuint)s.ptr:x}, not in readable memory for its {s.len} bytes: a garbage or dangling pointer (rule H3)";
            return null;
        }
        return NativeText.TryCopyBytes(s, NativeText.MaxDescriptorStringBytes, out problem);
    }

    private static string Unreadable(string field, void* p, ulong length) =>
        $"{field} is 0x{(nuint)p:x}, not in readable memory for the {length} byte{(length == 1 ? "" : "s")} a host reads there: " +
        "a garbage or dangling pointer (rule H3)";

    private static string NotExecutable(string field, void* fn) =>
        $"{field} is 0x{(nuint)fn:x}, not in executable memory: calling it would crash (rule H3)";

    /// <summary>Copies a prefix struct: only the bytes its struct_size covers, the rest zero (rule H2).</summary>
    private static T ReadPrefix<T>(T* source, out uint structSize) where T : unmanaged
    {
        structSize = *(uint*)source;
        var result = default(T);
        var n = Math.Min(structSize, (uint)sizeof(T));
        Buffer.MemoryCopy(source, &result, sizeof(T), n);
        return result;
    }

    /// <summary>A canonical text of everything the descriptors say, for comparing np_entry calls (rule P3).</summary>
    public string Canonical()
    {
        var sb = new StringBuilder();
        sb.Append($"library size={StructSize} plugins={PluginCount} sdk={Hex(Sdk)}\n");
        foreach (var pl in Plugins)
        {
            sb.Append($"plugin[{pl.Index}] size={pl.StructSize} threading={pl.Threading} id={Hex(pl.Id)} name={Hex(pl.Name)} " +
                      $"version={Hex(pl.Version)} description={Hex(pl.Description)} vendor={Hex(pl.Vendor)}\n");
            foreach (var i in pl.Interfaces) sb.Append($"  interface id={Hex(i.Id)} vtable=0x{i.Vtable:x}\n");
        }
        return sb.ToString();

        static string Hex(byte[]? b) => b is null ? "?" : Convert.ToHexString(b);
    }

    /// <summary>A human description of what differs between two canonical texts.</summary>
    public static string Difference(string a, string b)
    {
        var la = a.Split('\n');
        var lb = b.Split('\n');
        for (var i = 0; i < Math.Max(la.Length, lb.Length); i++)
        {
            var x = i < la.Length ? la[i] : "(nothing)";
            var y = i < lb.Length ? lb[i] : "(nothing)";
            if (x != y) return $"first difference: '{Describe(x)}' then '{Describe(y)}'";
        }
        return "no difference";

        // Hex-encoded fields are decoded back for the reader.
        static string Describe(string line) => HexField().Replace(line, m =>
        {
            try { return m.Groups[1].Value + "=" + NativeText.Show(Convert.FromHexString(m.Groups[2].Value)); }
            catch (FormatException) { return m.Value; }
        });
    }

    [GeneratedRegex(@"\b(sdk|id|name|version|description|vendor)=([0-9A-F]*)\b")]
    private static partial Regex HexField();
}
