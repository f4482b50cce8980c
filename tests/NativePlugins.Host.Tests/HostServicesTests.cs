using System.Text;
using Microsoft.Extensions.Logging;
using NativePlugins.Host.Tests.Infrastructure;
using NativePlugins.Hosting;
using NativePlugins.Hosting.Services;
using NativePlugins.Interop;
using static NativePlugins.Host.Tests.Infrastructure.Hosts;
using static NativePlugins.TestSupport.TestHosts;

namespace NativePlugins.Host.Tests;

/// <summary>The host service table (np_host_t): allocator with counters, log bridge, extensions. The native side
/// calls these through function pointers; so do these tests, through the very table a plugin gets.</summary>
public unsafe class HostServicesTests
{
    [Fact]
    public void Plugin_allocations_are_counted_per_instance_library_and_host_and_balance_after_destroy()
    {
        using var host = WithCPlugins();
        var library = host.GetLibrary(Counter);
        var instance = host.CreateTransform(Counter, "per_value=true");
        using (var input = Buffer("a", "b", "c"))
        using (var output = new RecordBuffer())
            instance.Process(input, output);
        Assert.True(instance.Allocations.LiveAllocations > 0); // the C SDK allocates instances from the host
        Assert.Equal(instance.Allocations.LiveAllocations, library.Allocations.LiveAllocations);
        Assert.Equal(library.Allocations.LiveAllocations, host.Allocations.LiveAllocations);
        Assert.True(instance.Allocations.LiveBytes > 0);

        instance.Dispose();
        var s = instance.Allocations.Snapshot();
        Assert.Equal(0, s.LiveAllocations);
        Assert.Equal(0, s.LiveBytes);
        Assert.Equal(s.TotalAllocations, s.TotalFrees);
        Assert.Equal(0, s.InvalidFrees + s.MismatchedFrees + s.FailedAllocations);
        Assert.Equal(0, host.Allocations.LiveAllocations);
    }

    [Fact]
    public void Allocator_validates_alignment_and_ignores_foreign_frees()
    {
        var (table, counters, _) = Table();
        using (table)
        {
            var h = table.Pointer;
            void* p = h->alloc(h, 100, 64);
            Assert.True(p != null);
            Assert.Equal(0, (long)p % 64);
            Assert.Equal(1, counters.LiveAllocations);
            Assert.Equal(100, counters.LiveBytes);

            Assert.True(h->alloc(h, 8, 3) == null);      // not a power of two
            Assert.True(h->alloc(h, 8, 8192) == null);   // above 4096
            Assert.Equal(2, counters.FailedAllocations);

            long local;
            h->free(h, &local, 8, 8);                    // never allocated by the host: ignored, counted
            Assert.Equal(1, counters.InvalidFrees);
            h->free(h, null, 0, 1);                      // NULL is a no-op

            h->free(h, p, 100, 32);                      // wrong alignment: freed, but counted
            Assert.Equal(1, counters.MismatchedFrees);
            Assert.Equal(0, counters.LiveAllocations);
            h->free(h, p, 100, 64);                      // double free: ignored, counted
            Assert.Equal(2, counters.InvalidFrees);
        }
    }

    [Fact]
    public void Log_lines_reach_ILogger_with_the_owner_as_category_and_mapped_levels()
    {
        var (table, _, logs) = Table();
        using (table)
        {
            var h = table.Pointer;
            Log(h, NpAbi.NP_LOG_TRACE, "t");
            Log(h, NpAbi.NP_LOG_DEBUG, "d");
            Log(h, NpAbi.NP_LOG_INFO, "héllo");
            Log(h, NpAbi.NP_LOG_WARN, "w");
            Log(h, NpAbi.NP_LOG_ERROR, "e");
            Log(h, 99, "unknown level");
            var bad = stackalloc byte[] { 0x61, 0xff };
            h->log(h, NpAbi.NP_LOG_INFO, new np_str_t { ptr = bad, len = 2 }); // invalid UTF-8: escaped, not thrown
            h->log(h, NpAbi.NP_LOG_INFO, new np_str_t { ptr = null, len = 5 }); // NULL with a length: empty line
            h->log(null, NpAbi.NP_LOG_INFO, default);                           // NULL table: ignored
        }
        var entries = logs.Entries.ToArray();
        Assert.All(entries, e => Assert.Equal("org.example.test", e.Category));
        Assert.Equal(
            [LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Error,
             LogLevel.Information, LogLevel.Information],
            entries.Select(e => e.Level));
        Assert.Equal("héllo", entries[2].Message);
        Assert.Equal("a\\xff", entries[6].Message);
    }

    [Fact]
    public void A_log_line_is_one_line_whatever_the_plugin_puts_in_it()
    {
        var (table, _, logs) = Table();
        using (table)
        {
            Log(table.Pointer, NpAbi.NP_LOG_WARN, "forged\n2026-12-03 ERROR host: \u001b[31mall is lost\u001b[0m\u202e");
        }
        var entry = Assert.Single(logs.Entries);
        Assert.Equal("forged\\x0a2026-12-03 ERROR host: \\x1b[31mall is lost\\x1b[0m\\u202e", entry.Message);
    }

    [Fact]
    public void A_throwing_logger_never_escapes_into_native_code()
    {
        var services = new HostServices(new ThrowingLoggerFactory(), "test", new Dictionary<string, nint>());
        var ctx = new HostTableContext(services, services.LoggerFactory.CreateLogger("x"), new AllocationCounters(null), "test");
        using var table = new HostTable(ctx, 1);
        Log(table.Pointer, NpAbi.NP_LOG_ERROR, "boom"); // would abort the process if the exception escaped
    }

    [Fact]
    public void Get_extension_returns_null_for_unknown_ids_and_the_registered_pointer_otherwise()
    {
        var ext = stackalloc uint[] { 4 };
        var services = new HostServices(null, "test", new Dictionary<string, nint> { ["np.host.test/1"] = (nint)ext });
        var ctx = new HostTableContext(services, services.LoggerFactory.CreateLogger("x"), new AllocationCounters(null), "test");
        using var table = new HostTable(ctx, 1);
        var h = table.Pointer;
        Assert.True(GetExtension(h, "np.host.nothing/1") == null);
        Assert.True(GetExtension(h, "") == null);
        Assert.True(GetExtension(h, "np.host.test/1") == ext);
    }

    [Fact]
    public void Table_fields_are_filled()
    {
        var (table, _, _) = Table();
        using (table)
        {
            var h = table.Pointer;
            Assert.Equal((uint)sizeof(np_host_t), h->struct_size);
            Assert.Equal(1u, h->abi_minor);
            Assert.Equal("nplug-test-host", Encoding.UTF8.GetString(h->name.ptr, (int)h->name.len));
            Assert.True(h->version.len > 0);
            Assert.True(h->log != null && h->alloc != null && h->free != null && h->get_extension != null);
        }
    }

    [Fact]
    public void Each_instance_and_library_table_logs_under_its_own_category()
    {
        // Log through the exact tables the host handed to a real library (init) and real instances (create).
        var logs = new ListLoggerFactory();
        using var host = Create(logs);
        var library = host.Load(NativeArtifacts.CText);
        using var upper = host.CreateTransform(Upper);
        using var grep = host.CreateTransform(Grep, "pattern=x");
        Log(upper.HostTable, NpAbi.NP_LOG_INFO, "from upper");
        Log(grep.HostTable, NpAbi.NP_LOG_WARN, "from grep");
        Log(library.Handle.Table!.Pointer, NpAbi.NP_LOG_INFO, "from the library");
        var byMessage = logs.Entries.ToDictionary(e => e.Message);
        Assert.Equal(Upper, byMessage["from upper"].Category);
        Assert.Equal(Grep, byMessage["from grep"].Category);
        Assert.Equal(LogLevel.Warning, byMessage["from grep"].Level);
        Assert.Equal("libnp_c_text.so", byMessage["from the library"].Category);
    }

    private static (HostTable Table, AllocationCounters Counters, ListLoggerFactory Logs) Table()
    {
        var logs = new ListLoggerFactory();
        var services = new HostServices(logs, "nplug-test-host", new Dictionary<string, nint>());
        var counters = new AllocationCounters(null);
        var ctx = new HostTableContext(services, logs.CreateLogger("org.example.test"), counters, "plugin 'org.example.test'");
        return (new HostTable(ctx, 1), counters, logs);
    }

    private static void Log(np_host_t* h, int level, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes) h->log(h, level, new np_str_t { ptr = p, len = (ulong)bytes.Length });
    }

    private static void* GetExtension(np_host_t* h, string id)
    {
        var bytes = Encoding.UTF8.GetBytes(id);
        fixed (byte* p = bytes) return h->get_extension(h, new np_str_t { ptr = p, len = (ulong)bytes.Length });
    }

    private sealed class ThrowingLoggerFactory : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new L();
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }

        private sealed class L : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel l, EventId id, TState s, Exception? e, Func<TState, Exception?, string> f) =>
                throw new InvalidOperationException("logger failure");
        }
    }
}
