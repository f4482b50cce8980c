using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NativePlugins.Interop;

namespace NativePlugins.Hosting.Services;

/// <summary>
/// One <c>np_host_t</c> in native memory (rule H7: valid until the matching <c>deinit</c>/<c>destroy</c> returns,
/// all functions thread-safe). A library gets one at <c>init</c>, every instance its own at <c>create</c>, so that
/// log lines and allocations are attributed to the plugin that made them. Every callback is an
/// <c>[UnmanagedCallersOnly]</c> method that catches everything: an exception escaping it would abort the process.
/// </summary>
internal sealed unsafe class HostTable : IDisposable
{
    /// <summary>Host-private trailer after the table: lets a callback check that the np_host_t* it received is one
    /// of ours before it trusts host_data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Block
    {
        public np_host_t Table;
        public ulong Magic;
    }

    private const ulong MagicAlive = 0x6e706c75675f6874; // "nplug_ht"
    /// <summary>A log line is cut after this many bytes (the limit the conformance harness checks, too).</summary>
    private const ulong LogMessageMaxBytes = NativeText.MaxDescriptorStringBytes;
    /// <summary>An extension id longer than this names no extension of this host.</summary>
    private const ulong MaxExtensionIdBytes = 256;

    private Block* _block;
    private GCHandle _context;

    public HostTable(HostTableContext context, uint abiMinor)
    {
        _context = GCHandle.Alloc(context);
        _block = (Block*)NativeMemory.AllocZeroed((nuint)sizeof(Block));
        var t = &_block->Table;
        t->struct_size = (uint)sizeof(np_host_t);
        t->abi_minor = abiMinor;
        t->name = new np_str_t { ptr = context.Services.Name.Ptr, len = context.Services.Name.Length };
        t->version = new np_str_t { ptr = context.Services.Version.Ptr, len = context.Services.Version.Length };
        t->host_data = (void*)GCHandle.ToIntPtr(_context);
        t->log = &Log;
        t->alloc = &Alloc;
        t->free = &Free;
        t->get_extension = &GetExtension;
        _block->Magic = MagicAlive;
        Context = context;
    }

    public HostTableContext Context { get; }

    public np_host_t* Pointer => _block == null ? throw new ObjectDisposedException(nameof(HostTable)) : &_block->Table;

    /// <summary>Frees the table. Only after the library's deinit or the instance's destroy has returned.</summary>
    public void Dispose()
    {
        if (_block == null) return;
        _block->Magic = 0;
        NativeMemory.Free(_block);
        _block = null;
        if (_context.IsAllocated) _context.Free();
    }

    private static HostTableContext? ContextOf(np_host_t* host)
    {
        if (host == null) return null;
        var block = (Block*)host;
        if (block->Magic != MagicAlive || host->host_data == null) return null;
        return GCHandle.FromIntPtr((nint)host->host_data).Target as HostTableContext;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Log(np_host_t* host, int level, np_str_t message)
    {
        try
        {
            var ctx = ContextOf(host);
            if (ctx is null) return;
            var logLevel = PluginLogLevels.ToLogLevel(level);
            if (!ctx.Logger.IsEnabled(logLevel)) return;
            // One line, by the rule of error messages (NativeText.OneLine, interop/README.md section 5): a plugin's
            // newline or terminal escape cannot forge log entries or take over the console a log sink writes to.
            var text = message.ptr == null || message.len == 0 ? string.Empty
                : NativeText.OneLine(new ReadOnlySpan<byte>(message.ptr, (int)Math.Min(message.len, LogMessageMaxBytes)));
            // The string itself is the state: no message template to parse, no params array.
            ctx.Logger.Log(logLevel, default, text, null, static (s, _) => s);
        }
        catch
        {
            // Swallowed: nothing may escape into native code (see the class comment).
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Alloc(np_host_t* host, ulong size, ulong align)
    {
        try
        {
            var ctx = ContextOf(host);
            return ctx is null ? null : ctx.Services.Allocator.Alloc(ctx, size, align);
        }
        catch
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(np_host_t* host, void* ptr, ulong size, ulong align)
    {
        try
        {
            var ctx = ContextOf(host);
            ctx?.Services.Allocator.Free(ctx, ptr, size, align);
        }
        catch
        {
            // Swallowed: see the class comment.
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* GetExtension(np_host_t* host, np_str_t id)
    {
        try
        {
            var ctx = ContextOf(host);
            if (ctx is null || NativeText.TryDecode(id, MaxExtensionIdBytes, out _) is not { Length: > 0 } key) return null;
            return ctx.Services.Extensions.TryGetValue(key, out var ext) ? (void*)ext : null;
        }
        catch
        {
            return null;
        }
    }
}

/// <summary>Maps <c>NP_LOG_*</c> to <see cref="LogLevel"/>.</summary>
internal static class PluginLogLevels
{
    public static LogLevel ToLogLevel(int level) => level switch
    {
        <= 0 => LogLevel.Trace,   // NP_LOG_TRACE (and anything below)
        1 => LogLevel.Debug,      // NP_LOG_DEBUG
        2 => LogLevel.Information,// NP_LOG_INFO
        3 => LogLevel.Warning,    // NP_LOG_WARN
        _ => LogLevel.Error,      // NP_LOG_ERROR, and unknown higher levels are not silently lowered
    };
}
