// Converts between np_layout_report_t (native, what libraries hand over) and NpStructLayout lists (managed).
// Reading validates everything before trusting it: the report comes from a library that may be broken.
using System.Runtime.InteropServices;
using System.Text;

namespace NativePlugins.Interop;

/// <summary>A layout report that cannot be read: NULL pointers, absurd counts, names that are not UTF-8.</summary>
public sealed class MalformedLayoutReportException(string message) : Exception(message);

public static unsafe class NpLayoutReport
{
    /// <summary>Upper bounds that no real report reaches; a larger count means garbage, not a big ABI.</summary>
    public const int MaxStructs = 4096, MaxFields = 4096, MaxNameBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Reads a report into managed layouts (CType, CanonicalType empty; SinceMinor 0: a report does
    /// not carry them).</summary>
    /// <exception cref="MalformedLayoutReportException">the report is NULL or malformed; the message says how.</exception>
    public static IReadOnlyList<NpStructLayout> Read(np_layout_report_t* report)
    {
        if (report == null) throw new MalformedLayoutReportException("the layout report pointer is NULL");
        if (report->struct_size < (uint)sizeof(np_layout_report_t))
            throw new MalformedLayoutReportException($"struct_size {report->struct_size} is smaller than np_layout_report_t ({sizeof(np_layout_report_t)})");
        if (report->struct_count > MaxStructs)
            throw new MalformedLayoutReportException($"struct_count {report->struct_count} exceeds {MaxStructs}");
        if (report->struct_count > 0 && report->structs == null)
            throw new MalformedLayoutReportException($"structs is NULL but struct_count is {report->struct_count}");
        var structs = new List<NpStructLayout>((int)report->struct_count);
        for (ulong i = 0; i < report->struct_count; i++)
        {
            var s = &report->structs[i];
            string name = Name(s->name, $"structs[{i}].name");
            if (s->field_count > MaxFields)
                throw new MalformedLayoutReportException($"{name}: field_count {s->field_count} exceeds {MaxFields}");
            if (s->field_count > 0 && s->fields == null)
                throw new MalformedLayoutReportException($"{name}: fields is NULL but field_count is {s->field_count}");
            var fields = new List<NpFieldLayout>((int)s->field_count);
            for (ulong j = 0; j < s->field_count; j++)
            {
                var f = &s->fields[j];
                fields.Add(new NpFieldLayout(Name(f->name, $"{name}.fields[{j}].name"), "", "", f->offset, f->size, 0));
            }
            structs.Add(new NpStructLayout(name, s->size, s->align, 0, fields));
        }
        return structs;
    }

    private static string Name(np_str_t s, string what)
    {
        if (s.len == 0 || s.ptr == null) throw new MalformedLayoutReportException($"{what} is empty or NULL");
        if (s.len > MaxNameBytes) throw new MalformedLayoutReportException($"{what} is {s.len} bytes long");
        try
        {
            return StrictUtf8.GetString(s.ptr, (int)s.len);
        }
        catch (DecoderFallbackException)
        {
            throw new MalformedLayoutReportException($"{what} is not valid UTF-8");
        }
    }

    /// <summary>Builds a np_layout_report_t describing <paramref name="structs"/> in one native allocation that
    /// is never freed (reports are static data for the life of the process). Used for this compiler's report
    /// (<see cref="NpAbiLayout.CreateNativeReport"/>) and by tests that need a report of another layout.</summary>
    public static np_layout_report_t* Allocate(IReadOnlyList<NpStructLayout> structs)
    {
        // One block: [report][structs][fields...][names...]; pointers are fixed up inside it.
        int fieldCount = structs.Sum(s => s.Fields.Count);
        int nameBytes = structs.Sum(s => Encoding.UTF8.GetByteCount(s.Name) + 1 + s.Fields.Sum(f => Encoding.UTF8.GetByteCount(f.Name) + 1));
        nuint size = (nuint)(sizeof(np_layout_report_t) + structs.Count * sizeof(np_layout_struct_t) +
                             fieldCount * sizeof(np_layout_field_t) + nameBytes);
        byte* block = (byte*)NativeMemory.AllocZeroed(size);
        var report = (np_layout_report_t*)block;
        var structArray = (np_layout_struct_t*)(report + 1);
        var fieldArray = (np_layout_field_t*)(structArray + structs.Count);
        byte* names = (byte*)(fieldArray + fieldCount);

        np_str_t Put(string text)
        {
            int n = Encoding.UTF8.GetBytes(text, new Span<byte>(names, nameBytes));
            var result = new np_str_t { ptr = names, len = (ulong)n };
            names[n] = 0; // NUL after len: allowed by np_str_t, convenient for C debuggers
            names += n + 1;
            nameBytes -= n + 1;
            return result;
        }

        report->struct_size = (uint)sizeof(np_layout_report_t);
        report->reserved = 0;
        report->structs = structArray;
        report->struct_count = (ulong)structs.Count;
        for (int i = 0; i < structs.Count; i++)
        {
            var s = structs[i];
            structArray[i] = new np_layout_struct_t
            {
                name = Put(s.Name),
                size = s.Size,
                align = s.Align,
                fields = fieldArray,
                field_count = (ulong)s.Fields.Count,
            };
            foreach (var f in s.Fields)
                *fieldArray++ = new np_layout_field_t { name = Put(f.Name), offset = f.Offset, size = f.Size };
        }
        return report;
    }
}
