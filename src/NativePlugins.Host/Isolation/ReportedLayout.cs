using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Isolation;

/// <summary>
/// An interface's layout report as a worker copied it out of an isolated library (npw_protocol.h, "Library info"),
/// rebuilt here as an <c>np_layout_report_t</c> in native memory of its own, so that the one reader and checker of
/// reports (<see cref="NpLayoutReport.Read"/>, <see cref="Loading.InterfaceLayoutCheck"/>) judges it exactly as it
/// judges an in-process library's: the same refusals with the same words. What the worker did not follow (a NULL
/// array, a count past the reader's bounds, a name too long) is rebuilt as such, so the reader refuses it there too.
/// Freed after the load checks.
/// </summary>
internal sealed unsafe class ReportedLayout : IDisposable
{
    private readonly List<nint> _blocks = [];

    /// <summary>The rebuilt report; null when the library gave none.</summary>
    public np_layout_report_t* Report { get; private set; }

    /// <summary>A placeholder for a pointer the library gave but the worker did not follow: never read.</summary>
    private byte* Unread => Alloc(8);

    internal static ReportedLayout Read(ref LibraryInfo.Reader r)
    {
        var layout = new ReportedLayout();
        try
        {
            if (r.U32() == 0) return layout;
            var report = (np_layout_report_t*)layout.Alloc(sizeof(np_layout_report_t));
            report->struct_size = r.U32();
            report->struct_count = r.U64();
            bool structsNull = r.U32() != 0;
            layout.Report = report;
            if (structsNull) return layout;
            bool followed = report->struct_size >= (uint)sizeof(np_layout_report_t) && report->struct_count <= NpLayoutReport.MaxStructs;
            if (!followed)
            {
                report->structs = (np_layout_struct_t*)layout.Unread;
                return layout;
            }
            var structs = (np_layout_struct_t*)layout.Alloc(checked((int)report->struct_count * sizeof(np_layout_struct_t)));
            report->structs = structs;
            for (ulong i = 0; i < report->struct_count; i++)
            {
                var s = &structs[i];
                s->name = layout.Name(ref r);
                s->size = r.U32();
                s->align = r.U32();
                s->field_count = r.U64();
                if (r.U32() != 0) continue; // fields NULL
                if (s->field_count > NpLayoutReport.MaxFields)
                {
                    s->fields = (np_layout_field_t*)layout.Unread;
                    continue;
                }
                var fields = (np_layout_field_t*)layout.Alloc(checked((int)s->field_count * sizeof(np_layout_field_t)));
                s->fields = fields;
                for (ulong j = 0; j < s->field_count; j++)
                {
                    fields[j].name = layout.Name(ref r);
                    fields[j].offset = r.U32();
                    fields[j].size = r.U32();
                }
            }
            return layout;
        }
        catch
        {
            layout.Dispose();
            throw;
        }
    }

    private np_str_t Name(ref LibraryInfo.Reader r)
    {
        ulong len = r.U64();
        bool isNull = r.U32() != 0;
        if (isNull) return new np_str_t { ptr = null, len = len };
        if (len > NpLayoutReport.MaxNameBytes) return new np_str_t { ptr = Unread, len = len };
        var bytes = r.Bytes((int)len);
        var p = Alloc(Math.Max(bytes.Length, 1));
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return new np_str_t { ptr = p, len = len };
    }

    private byte* Alloc(int bytes)
    {
        var p = NativeMemory.AllocZeroed((nuint)Math.Max(bytes, 1));
        _blocks.Add((nint)p);
        return (byte*)p;
    }

    public void Dispose()
    {
        foreach (var p in _blocks) NativeMemory.Free((void*)p);
        _blocks.Clear();
        Report = null;
    }
}
