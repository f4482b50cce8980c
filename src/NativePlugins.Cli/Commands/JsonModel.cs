using System.Text.Json;
using NativePlugins.Hosting;

namespace NativePlugins.Cli.Commands;

/// <summary>The JSON shapes of <c>list --json</c> and <c>inspect --json</c> (stable: tools parse them).</summary>
internal static class JsonModel
{
    public static void WriteLibrary(Utf8JsonWriter j, PluginLibrary l)
    {
        j.WriteStartObject();
        j.WriteString("file", l.FilePath);
        j.WriteString("sdk", l.Sdk);
        j.WriteString("abiAgreed", l.AgreedAbi.ToString());
        j.WriteString("abiLibrary", l.LibraryAbi.ToString());
        j.WriteString("abiHost", l.Host.AbiVersion.ToString());
        j.WriteString("layoutFingerprint", Formatting.Hex(l.LayoutFingerprint));
        j.WriteBoolean("layoutReport", l.HasLayoutReport);
        j.WriteStartArray("flags");
        foreach (var f in Formatting.LibraryFlagNames(l.Flags)) j.WriteStringValue(f);
        j.WriteEndArray();
        j.WriteBoolean("unloadable", l.CanUnload);
        j.WriteStartArray("plugins");
        foreach (var p in l.Plugins) WritePlugin(j, p);
        j.WriteEndArray();
        j.WriteEndObject();
    }

    public static void WritePlugin(Utf8JsonWriter j, PluginInfo p)
    {
        j.WriteStartObject();
        j.WriteString("id", p.Id);
        j.WriteString("name", p.Name);
        j.WriteString("version", p.Version);
        j.WriteString("description", p.Description);
        j.WriteString("vendor", p.Vendor);
        j.WriteString("threading", Formatting.Threading(p.Threading));
        j.WriteStartArray("interfaces");
        foreach (var i in p.Interfaces) j.WriteStringValue(i);
        j.WriteEndArray();
        // Parallel to "interfaces": what the descriptor says of each (ABI 1.2 interface layouts); minor is set only
        // for an interface the host registered, which nplug does not (it knows no interface headers).
        j.WriteStartArray("interfaceDetails");
        foreach (var d in p.InterfaceDetails)
        {
            j.WriteStartObject();
            j.WriteString("id", d.Id);
            j.WriteNumber("structSize", d.StructSize);
            if (d.LayoutFingerprint is { } f) j.WriteString("layoutFingerprint", Formatting.Hex(f));
            else j.WriteNull("layoutFingerprint");
            if (d.Minor is { } m) j.WriteNumber("minor", m);
            else j.WriteNull("minor");
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter j, PluginLoadException e)
    {
        j.WriteStartObject();
        j.WriteString("file", e.FilePath);
        j.WriteString("reason", e.Reason.ToString());
        if (e.PluginId is null) j.WriteNull("plugin");
        else j.WriteString("plugin", e.PluginId);
        j.WriteString("detail", e.Detail);
        j.WriteString("message", e.Message);
        j.WriteEndObject();
    }
}
