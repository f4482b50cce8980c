using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Interop;
using NativePlugins.PluginSdk.Runtime;
using NativePlugins.PluginSdk.Tests.Infrastructure;

namespace NativePlugins.PluginSdk.Tests.Sdk;

/// <summary>
/// The SDK's one catch implementation (<see cref="ExportBoundary"/>) in isolation: each kind of exception, thrown from
/// the body and from the body's own failure hooks, through a real [UnmanagedCallersOnly] method of this test assembly
/// (an exception escaping it would abort the test run), with and without an error buffer.
/// </summary>
public sealed unsafe class ExportBoundaryTests
{
    public enum Throw
    {
        Nothing,
        PluginStatus, // PluginException.InputAt(4): NP_ERR_INPUT, code 5
        PanicStatus, // a PluginException carrying NP_ERR_PANIC
        Bug, // InvalidOperationException
        OutOfMemory, // OutOfMemoryException
        HostileMessage, // an exception whose Message throws
        HostilePluginMessage, // a PluginException whose Message throws
    }

    [Flags]
    public enum Also
    {
        None = 0,
        RejectPluginStatus = 1, // IsPluginStatus is false: every exception is a panic (the library calls)
        HooksThrow = 2, // OnPluginStatus and OnPanic throw after recording the call
        ExitThrows = 4,
    }

    /// <summary>What the hooks saw (this class's tests run one at a time).</summary>
    private static readonly List<string> s_calls = [];

    private struct Body(Throw what, Also also) : IExportBody
    {
        public readonly int Run(np_error_t* error)
        {
            s_calls.Add("run");
            throw what switch
            {
                Throw.PluginStatus => PluginException.InputAt(4, "record 4 is bad"),
                Throw.PanicStatus => new PluginException(NpAbi.NP_ERR_PANIC, "gave up"),
                Throw.Bug => new InvalidOperationException("a bug"),
                Throw.OutOfMemory => new OutOfMemoryException("no memory"),
                Throw.HostileMessage => new HostileException(),
                Throw.HostilePluginMessage => new HostilePluginException(),
                _ => new ArgumentOutOfRangeException(nameof(what)), // Nothing runs SucceedingBody instead
            };
        }

        public readonly bool IsPluginStatus(int status) =>
            (also & Also.RejectPluginStatus) == 0 && status != NpAbi.NP_ERR_PANIC;

        public readonly string Subject() => "org.example.test: run";

        public readonly void OnPluginStatus()
        {
            s_calls.Add("plugin-status");
            if ((also & Also.HooksThrow) != 0)
                throw new InvalidOperationException("the undo failed");
        }

        public readonly void OnPanic(Exception exception, string message)
        {
            s_calls.Add($"panic {exception.GetType().Name}: {message}");
            if ((also & Also.HooksThrow) != 0)
                throw new OutOfMemoryException("logging failed");
        }

        public readonly void Exit()
        {
            s_calls.Add("exit");
            if ((also & Also.ExitThrows) != 0)
                throw new InvalidOperationException("exit failed");
        }
    }

    private sealed class HostileException : Exception
    {
        public override string Message => throw new OutOfMemoryException("Message threw");
    }

    private sealed class HostilePluginException() : PluginException(NpAbi.NP_ERR_PLUGIN, "never read", detailCode: 3)
    {
        public override string Message => throw new OutOfMemoryException("Message threw");
    }

    private struct SucceedingBody(Also also) : IExportBody
    {
        public readonly int Run(np_error_t* error)
        {
            s_calls.Add("run");
            return NpAbi.NP_OK;
        }

        public readonly bool IsPluginStatus(int status) => true;
        public readonly void OnPluginStatus() => s_calls.Add("plugin-status");
        public readonly string Subject() => "org.example.test: run";
        public readonly void OnPanic(Exception exception, string message) => s_calls.Add("panic");

        public readonly void Exit()
        {
            s_calls.Add("exit");
            if ((also & Also.ExitThrows) != 0)
                throw new InvalidOperationException("exit failed");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Export(int what, int also, np_error_t* error)
    {
        if ((Throw)what == Throw.Nothing)
        {
            var succeeding = new SucceedingBody((Also)also);
            return ExportBoundary.Run(ref succeeding, error);
        }
        var body = new Body((Throw)what, (Also)also);
        return ExportBoundary.Run(ref body, error);
    }

    private static (int Status, string Message, int Code, List<string> Calls) Call(Throw what, Also also = Also.None,
        bool withBuffer = true)
    {
        s_calls.Clear();
        var error = new ErrorBuffer();
        delegate* unmanaged[Cdecl]<int, int, np_error_t*, int> export = &Export;
        int status = export((int)what, (int)also, withBuffer ? error.Pointer : null);
        return (status, error.ToString(), error.Code, [.. s_calls]);
    }

    [Fact]
    public void Success_runs_the_body_and_exit_and_leaves_the_buffer_untouched()
    {
        var (status, message, code, calls) = Call(Throw.Nothing);
        Assert.Equal(NpAbi.NP_OK, status);
        Assert.Equal("", message);
        Assert.Equal(0, code);
        Assert.Equal(["run", "exit"], calls);
    }

    [Fact]
    public void A_plugin_status_is_its_status_message_and_record_index()
    {
        var (status, message, code, calls) = Call(Throw.PluginStatus);
        Assert.Equal(NpAbi.NP_ERR_INPUT, status);
        Assert.Equal("record 4 is bad", message);
        Assert.Equal(5, code); // index + 1
        Assert.Equal(["run", "plugin-status", "exit"], calls);
    }

    [Fact]
    public void A_plugin_status_the_body_does_not_accept_is_a_panic()
    {
        var (status, message, _, calls) = Call(Throw.PluginStatus, Also.RejectPluginStatus);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Equal("unhandled NativePlugins.PluginSdk.PluginException: record 4 is bad", message);
        Assert.Equal(["run", $"panic PluginException: {message}", "exit"], calls);

        (status, message, _, _) = Call(Throw.PanicStatus);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Equal("unhandled NativePlugins.PluginSdk.PluginException: gave up", message);
    }

    [Theory]
    [InlineData(Throw.Bug, "unhandled System.InvalidOperationException: a bug")]
    [InlineData(Throw.OutOfMemory, "unhandled System.OutOfMemoryException: no memory")]
    [InlineData(Throw.HostileMessage,
        "unhandled NativePlugins.PluginSdk.Tests.Sdk.ExportBoundaryTests+HostileException (its Message threw)")]
    public void Any_other_exception_is_NP_ERR_PANIC_after_the_panic_hook(Throw what, string expected)
    {
        var (status, message, code, calls) = Call(what);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Equal(expected, message);
        Assert.Equal(0, code);
        Assert.Equal(3, calls.Count);
        Assert.EndsWith($": {expected}", calls[1]);
        Assert.Equal("exit", calls[2]);
    }

    [Fact]
    public void A_plugin_status_whose_message_throws_keeps_its_status_and_code_with_a_constant_message()
    {
        var (status, message, code, calls) = Call(Throw.HostilePluginMessage);
        Assert.Equal(NpAbi.NP_ERR_PLUGIN, status);
        Assert.Equal(ExportBoundary.UnformattablePluginMessage, message);
        Assert.Equal(3, code);
        Assert.Equal(["run", "plugin-status", "exit"], calls);
    }

    [Theory]
    [InlineData(Throw.PluginStatus, NpAbi.NP_ERR_INPUT, "record 4 is bad")]
    [InlineData(Throw.Bug, NpAbi.NP_ERR_PANIC, "unhandled System.InvalidOperationException: a bug")]
    [InlineData(Throw.OutOfMemory, NpAbi.NP_ERR_PANIC, "unhandled System.OutOfMemoryException: no memory")]
    public void Hooks_that_throw_change_nothing(Throw what, int expectedStatus, string expectedMessage)
    {
        var (status, message, _, calls) = Call(what, Also.HooksThrow);
        Assert.Equal(expectedStatus, status);
        Assert.Equal(expectedMessage, message);
        Assert.Equal("exit", calls[^1]);
    }

    [Fact]
    public void An_exit_that_throws_is_NP_ERR_PANIC_with_a_message()
    {
        var (status, message, _, calls) = Call(Throw.Nothing, Also.ExitThrows);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
        Assert.Equal(ExportBoundary.ExitFailedMessage, message);
        Assert.Equal(["run", "exit"], calls);

        (status, _, _, _) = Call(Throw.Bug, Also.ExitThrows | Also.HooksThrow);
        Assert.Equal(NpAbi.NP_ERR_PANIC, status);
    }

    [Theory]
    [InlineData(Throw.PluginStatus, NpAbi.NP_ERR_INPUT)]
    [InlineData(Throw.Bug, NpAbi.NP_ERR_PANIC)]
    [InlineData(Throw.HostileMessage, NpAbi.NP_ERR_PANIC)]
    [InlineData(Throw.HostilePluginMessage, NpAbi.NP_ERR_PLUGIN)]
    public void Without_an_error_buffer_only_the_status_is_returned(Throw what, int expected)
    {
        Assert.Equal(expected, Call(what, withBuffer: false).Status);
    }

    [Fact]
    public void The_panic_message_never_throws()
    {
        Assert.Equal("unhandled System.Exception: x", ExportBoundary.PanicMessage(new Exception("x")));
        Assert.EndsWith("(its Message threw)", ExportBoundary.PanicMessage(new HostileException()));
    }
}
