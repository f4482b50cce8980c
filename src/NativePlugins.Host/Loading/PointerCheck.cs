using System.Runtime.CompilerServices;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Loading;

/// <summary>The <see cref="PluginLoadError.InvalidPointer"/> refusals (built on the failure path only) and the checks
/// of the structures the host walks in one go (a layout report). Where the memory is asked: <see cref="LoadedMemory"/>.</summary>
internal static unsafe class PointerCheck
{
    /// <summary>Throws unless <paramref name="length"/> bytes at <paramref name="p"/> are readable.</summary>
    public static void Readable(LoadedMemory memory, void* p, ulong length, string file, string? pluginId, string field,
        FieldName context = default)
    {
        if (!memory.IsReadable(p, length)) throw Unreadable(file, pluginId, field, context, p, length);
    }

    /// <summary>Throws unless the growable struct at <paramref name="p"/> can be read as <see cref="PrefixStruct"/>
    /// reads it: first its struct_size, then the prefix that struct_size and <paramref name="minor"/> make readable, up
    /// to <paramref name="hostSize"/> (the host's struct; nothing beyond it is ever read).</summary>
    public static void ReadableStruct(LoadedMemory memory, void* p, StructFacts layout, uint minor, uint hostSize,
        string file, string? pluginId, string field, FieldName context = default)
    {
        Readable(memory, p, sizeof(uint), file, pluginId, field, context);
        Readable(memory, p, Math.Min(layout.ReadableBytes(*(uint*)p, minor), hostSize), file, pluginId, field, context);
    }

    /// <summary>Throws unless the function pointer <paramref name="fn"/> (not NULL: checked before) is in executable
    /// memory.</summary>
    public static void Executable(LoadedMemory memory, void* fn, string file, string? pluginId, string field)
    {
        if (!memory.IsExecutable(fn)) throw NotExecutable(file, pluginId, field, fn);
    }

    /// <summary>Throws unless every pointer of a layout report (np_layout.h) is readable for what
    /// <see cref="NpLayoutReport.Read"/> reads; <paramref name="field"/> names the report pointer itself. Mirrors that
    /// reader's limits: counts and lengths it refuses as malformed are left for it to refuse.</summary>
    public static void LayoutReport(LoadedMemory memory, np_layout_report_t* report, string field, string file,
        string? pluginId, FieldName context = default)
    {
        if (report == null) return;
        Readable(memory, report, (ulong)sizeof(np_layout_report_t), file, pluginId, field, context);
        ulong count = report->struct_count;
        if (count == 0 || count > NpLayoutReport.MaxStructs || report->structs == null) return;
        Readable(memory, report->structs, count * (ulong)sizeof(np_layout_struct_t), file, pluginId,
            "np_layout_report_t.structs", context);
        for (ulong i = 0; i < count; i++)
        {
            var s = &report->structs[i];
            if (!NameReadable(memory, s->name))
                throw Unreadable(file, pluginId, "np_layout_struct_t.name.ptr", new FieldName("structs", i, "name"),
                    s->name.ptr, s->name.len);
            ulong fields = s->field_count;
            if (fields == 0 || fields > NpLayoutReport.MaxFields || s->fields == null) continue;
            Readable(memory, s->fields, fields * (ulong)sizeof(np_layout_field_t), file, pluginId,
                "np_layout_struct_t.fields", new FieldName("structs", i, "fields"));
            for (ulong j = 0; j < fields; j++)
                if (!NameReadable(memory, s->fields[j].name))
                    throw Unreadable(file, pluginId, "np_layout_field_t.name.ptr", new FieldName("fields", j, "name"),
                        s->fields[j].name.ptr, s->fields[j].name.len);
        }
    }

    private static bool NameReadable(LoadedMemory memory, np_str_t name) =>
        name.len == 0 || name.ptr == null || name.len > NpLayoutReport.MaxNameBytes || memory.IsReadable(name.ptr, name.len);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static PluginLoadException Unreadable(string file, string? pluginId, string field, FieldName context, void* p,
        ulong length)
    {
        var where = context.IsEmpty ? "" : $" ({context})";
        return new(PluginLoadError.InvalidPointer, file, pluginId,
            $"{field}{where} is 0x{(nuint)p:x}, not in readable memory for the {length} byte{(length == 1 ? "" : "s")} " +
            "the host reads there: a garbage or dangling pointer (rule H3)");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PluginLoadException NotExecutable(string file, string? pluginId, string field, void* fn) =>
        new(PluginLoadError.InvalidPointer, file, pluginId,
            $"{field} is 0x{(nuint)fn:x}, not in executable memory: calling it would crash (rule H3)");
}
