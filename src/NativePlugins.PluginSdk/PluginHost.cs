using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;

namespace NativePlugins.PluginSdk;

/// <summary>Log levels of <c>np_host_t.log</c>.</summary>
public enum PluginLogLevel
{
    /// <summary><c>NP_LOG_TRACE</c></summary>
    Trace = NpAbi.NP_LOG_TRACE,
    /// <summary><c>NP_LOG_DEBUG</c></summary>
    Debug = NpAbi.NP_LOG_DEBUG,
    /// <summary><c>NP_LOG_INFO</c></summary>
    Info = NpAbi.NP_LOG_INFO,
    /// <summary><c>NP_LOG_WARN</c></summary>
    Warning = NpAbi.NP_LOG_WARN,
    /// <summary><c>NP_LOG_ERROR</c></summary>
    Error = NpAbi.NP_LOG_ERROR,
}

/// <summary>
/// The host's service table (<c>np_host_t</c>) for one plugin instance: logging, the host allocator and host
/// extensions. Valid from the plugin's constructor until its <see cref="TransformPlugin.Dispose"/> returns; every
/// member is thread-safe. A plugin created outside a host (a unit test) gets <see cref="Detached"/>.
/// </summary>
public sealed unsafe class PluginHost
{
    private readonly np_host_t* _table;

    internal PluginHost(np_host_t* table)
    {
        _table = table;
        Name = table is null ? "" : NativeText.DecodeLenient(table->name, NativeText.MaxDescriptorStringBytes);
        Version = table is null ? "" : NativeText.DecodeLenient(table->version, NativeText.MaxDescriptorStringBytes);
    }

    /// <summary>A host that drops log lines and allocates with <see cref="NativeMemory"/>: for tests.</summary>
    public static PluginHost Detached { get; } = new(null);

    /// <summary>True when this wraps a real host table.</summary>
    public bool IsAttached => _table is not null;

    /// <summary>The host's name, for diagnostics.</summary>
    public string Name { get; }

    /// <summary>The host's version, for diagnostics.</summary>
    public string Version { get; }

    /// <summary>The ABI minor the host speaks (<c>np_host_t.abi_minor</c>).</summary>
    public uint AbiMinor => _table is null ? NpAbi.NP_ABI_MINOR : _table->abi_minor;

    /// <summary>The raw table, for plugins that need a host extension's own API.</summary>
    public np_host_t* Table => _table;

    /// <summary>Writes a log line through the host.</summary>
    public void Log(PluginLogLevel level, ReadOnlySpan<char> message)
    {
        if (_table is null)
            return;
        int max = Encoding.UTF8.GetMaxByteCount(message.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(message, buffer);
            fixed (byte* bytes = buffer)
                _table->log(_table, (int)level, new np_str_t { ptr = bytes, len = (ulong)length });
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Logs at <see cref="PluginLogLevel.Trace"/>.</summary>
    public void LogTrace(string message) => Log(PluginLogLevel.Trace, message);
    /// <summary>Logs at <see cref="PluginLogLevel.Debug"/>.</summary>
    public void LogDebug(string message) => Log(PluginLogLevel.Debug, message);
    /// <summary>Logs at <see cref="PluginLogLevel.Info"/>.</summary>
    public void LogInfo(string message) => Log(PluginLogLevel.Info, message);
    /// <summary>Logs at <see cref="PluginLogLevel.Warning"/>.</summary>
    public void LogWarning(string message) => Log(PluginLogLevel.Warning, message);
    /// <summary>Logs at <see cref="PluginLogLevel.Error"/>.</summary>
    public void LogError(string message) => Log(PluginLogLevel.Error, message);

    /// <summary>
    /// Allocates from the host's allocator (the host may account or limit plugin memory). Dispose the buffer
    /// before the instance is destroyed (rule P4). NP_ERR_OUT_OF_MEMORY when the host refuses.
    /// </summary>
    public HostBuffer Allocate(long size, int alignment = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (alignment <= 0 || alignment > 4096 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "a power of two, at most 4096");
        void* memory = _table is null
            ? NativeMemory.AlignedAlloc((nuint)Math.Max(size, 1), (nuint)alignment)
            : _table->alloc(_table, (ulong)size, (ulong)alignment);
        if (memory is null)
            throw new PluginException(NpAbi.NP_ERR_OUT_OF_MEMORY, $"the host could not allocate {size} bytes");
        return new HostBuffer(this, (byte*)memory, size, alignment);
    }

    internal void Free(byte* memory, long size, int alignment)
    {
        if (_table is null)
            NativeMemory.AlignedFree(memory);
        else
            _table->free(_table, memory, (ulong)size, (ulong)alignment);
    }

    /// <summary>A host extension by id (<c>np.host.&lt;name&gt;/&lt;revision&gt;</c>), or null when not offered.</summary>
    public void* GetExtension(string id)
    {
        if (_table is null)
            return null;
        byte[] utf8 = Encoding.UTF8.GetBytes(id);
        fixed (byte* bytes = utf8)
            return _table->get_extension(_table, new np_str_t { ptr = bytes, len = (ulong)utf8.Length });
    }
}

/// <summary>Memory from the host allocator; <see cref="Dispose"/> returns it with the same size and alignment.</summary>
public sealed unsafe class HostBuffer : IDisposable
{
    private readonly PluginHost _host;
    private nint _memory;

    internal HostBuffer(PluginHost host, byte* memory, long size, int alignment)
    {
        _host = host;
        _memory = (nint)memory;
        Length = size;
        Alignment = alignment;
    }

    /// <summary>The start of the block; null after <see cref="Dispose"/>.</summary>
    public byte* Pointer => (byte*)_memory;

    /// <summary>Size in bytes.</summary>
    public long Length { get; }

    /// <summary>Alignment in bytes.</summary>
    public int Alignment { get; }

    /// <summary>The block as a span (blocks up to 2 GiB).</summary>
    public Span<byte> Span =>
        _memory == 0 ? throw new ObjectDisposedException(nameof(HostBuffer)) : new((byte*)_memory, checked((int)Length));

    /// <summary>Frees the block through the host; a second call does nothing.</summary>
    public void Dispose()
    {
        nint memory = Interlocked.Exchange(ref _memory, 0);
        if (memory != 0)
            _host.Free((byte*)memory, Length, Alignment);
    }
}
