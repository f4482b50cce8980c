using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NativePlugins.Hosting.Services;

/// <summary>What every host table of one <see cref="PluginHost"/> shares: loggers, the allocator, host extensions,
/// and the host's name and version as native UTF-8 (static data for the life of the process).</summary>
internal sealed unsafe class HostServices
{
    public HostServices(ILoggerFactory? loggerFactory, string hostName, IReadOnlyDictionary<string, nint> extensions)
    {
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Extensions = extensions.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        Name = NativeUtf8.Intern(hostName);
        Version = NativeUtf8.Intern(typeof(HostServices).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");
    }

    public ILoggerFactory LoggerFactory { get; }
    public HostAllocator Allocator { get; } = new();
    public AllocationCounters Counters { get; } = new(null);
    public Dictionary<string, nint> Extensions { get; }
    public NativeUtf8 Name { get; }
    public NativeUtf8 Version { get; }
}

/// <summary>A UTF-8 string in native memory that is never freed: host name and version live as long as any table
/// that points at them might, and there are only a handful per process.</summary>
internal readonly unsafe struct NativeUtf8(byte* ptr, ulong length)
{
    public byte* Ptr { get; } = ptr;

    public ulong Length { get; } = length;

    private static readonly Dictionary<string, NativeUtf8> Interned = new(StringComparer.Ordinal);

    public static NativeUtf8 Intern(string value)
    {
        lock (Interned)
        {
            if (Interned.TryGetValue(value, out var s)) return s;
            var bytes = Encoding.UTF8.GetBytes(value);
            var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            p[bytes.Length] = 0;
            s = new NativeUtf8(p, (ulong)bytes.Length);
            Interned[value] = s;
            return s;
        }
    }
}
