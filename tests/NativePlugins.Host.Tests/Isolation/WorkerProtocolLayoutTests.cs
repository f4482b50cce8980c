using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using NativePlugins.Hosting.Isolation;

namespace NativePlugins.Host.Tests.Isolation;

/// <summary>The host's copy of npw_control_t (WorkerProtocol.cs) against the C compiler's layout, as the worker
/// prints it (<c>nplug-worker --layout</c>): every field at the same offset with the same size, the same total
/// size and protocol version. A field added on one side only fails here.</summary>
public class WorkerProtocolLayoutTests
{
    [Fact]
    public unsafe void The_control_block_has_the_C_layout_field_by_field()
    {
        var start = new ProcessStartInfo(IsolatedHosts.Worker, "--layout") { RedirectStandardOutput = true };
        using var p = Process.Start(start)!;
        var json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(WorkerProtocol.Version, doc.RootElement.GetProperty("version").GetUInt32());
        Assert.Equal(sizeof(NpwControl), doc.RootElement.GetProperty("size").GetInt32());
        var fields = doc.RootElement.GetProperty("fields").EnumerateObject().ToList();
        var managed = typeof(NpwControl).GetFields().Select(f => f.Name).ToList();
        Assert.Equal(managed, fields.Select(f => f.Name));
        foreach (var f in fields)
        {
            var offset = f.Value[0].GetInt32();
            var size = f.Value[1].GetInt32();
            Assert.True(offset == (int)Marshal.OffsetOf<NpwControl>(f.Name), $"{f.Name}: C offset {offset}, C# {Marshal.OffsetOf<NpwControl>(f.Name)}");
            var type = typeof(NpwControl).GetField(f.Name)!.FieldType;
            Assert.True(size == Marshal.SizeOf(type), $"{f.Name}: C size {size}, C# {Marshal.SizeOf(type)}");
        }
        Assert.True(sizeof(NpwControl) <= WorkerProtocol.ControlBytes);
    }
}
