using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// A caller-owned np_error_t whose every byte is known before the call (rule P5): the message area is filled with a
/// pattern and followed by guard bytes, len and code hold sentinels. After a successful call everything must be as it
/// was; after a failing one len must be written, within capacity, and message[0..len) non-empty UTF-8, with the guard
/// bytes intact.
/// </summary>
internal sealed unsafe class ErrorBuffer : IDisposable
{
    public const ulong DefaultCapacity = 256;
    private const int GuardBytes = 64;
    private const byte Fill = 0xA5;
    private const byte GuardFill = 0xE7;
    private const ulong LenSentinel = 0xA5A5_5A5A_A5A5_5A5AUL;
    private const int CodeSentinel = 0x5A5A_A5A5;

    private readonly byte* _message;

    public ErrorBuffer(ulong capacity = DefaultCapacity)
    {
        Capacity = capacity;
        _message = (byte*)NativeMemory.Alloc((nuint)(capacity + GuardBytes));
        Ptr = (np_error_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_error_t));
        Reset();
    }

    public np_error_t* Ptr { get; }
    public ulong Capacity { get; }

    /// <summary>Refills the buffer for the next call.</summary>
    public void Reset()
    {
        new Span<byte>(_message, (int)Capacity).Fill(Fill);
        new Span<byte>(_message + Capacity, GuardBytes).Fill(GuardFill);
        Ptr->message = _message;
        Ptr->capacity = Capacity;
        Ptr->len = LenSentinel;
        Ptr->code = CodeSentinel;
        Ptr->reserved = 0;
    }

    /// <summary>What changed although the call succeeded (empty when nothing did).</summary>
    public List<string> ChangesAfterSuccess()
    {
        var changes = new List<string>();
        if (Ptr->message != _message) changes.Add("message pointer replaced");
        if (Ptr->capacity != Capacity) changes.Add($"capacity changed from {Capacity} to {Ptr->capacity}");
        if (Ptr->len != LenSentinel) changes.Add($"len set to {Ptr->len}");
        if (Ptr->code != CodeSentinel) changes.Add($"code set to {Ptr->code}");
        if (Ptr->reserved != 0) changes.Add($"reserved set to {Ptr->reserved}");
        var total = (int)Capacity + GuardBytes;
        for (var i = 0; i < total; i++)
        {
            var expected = i < (int)Capacity ? Fill : GuardFill;
            if (_message[i] != expected) { changes.Add($"message byte {i} written (0x{_message[i]:X2})"); break; }
        }
        return changes;
    }

    /// <summary>The message written by a failing call, or null when len was not written or is out of range.</summary>
    public byte[]? Message =>
        Ptr->len == LenSentinel || Ptr->len > Capacity || Ptr->message != _message
            ? null
            : new ReadOnlySpan<byte>(_message, (int)Ptr->len).ToArray();

    /// <summary>The message for a report ("(no message)" when there is none).</summary>
    public string Describe() => Message is { Length: > 0 } m ? NativeText.Quote(m, 160) : "(no message)";

    /// <summary>Rule P5 problems after a failing call (empty when the buffer was used correctly).</summary>
    public List<string> ProblemsAfterFailure(bool requireMessage = true)
    {
        var problems = new List<string>();
        if (Ptr->message != _message) problems.Add("the message pointer was replaced");
        if (Ptr->capacity != Capacity) problems.Add($"capacity was changed from {Capacity} to {Ptr->capacity}");
        if (Ptr->reserved != 0) problems.Add($"reserved was set to {Ptr->reserved}");
        for (var i = 0; i < GuardBytes; i++)
        {
            if (_message[Capacity + (ulong)i] != GuardFill)
            {
                problems.Add($"wrote past capacity {Capacity}: guard byte {i} after the buffer was overwritten");
                break;
            }
        }
        if (Ptr->len == LenSentinel) { if (requireMessage && Capacity > 0) problems.Add("len was not written (no message)"); }
        else if (Ptr->len > Capacity) problems.Add($"len {Ptr->len} is larger than capacity {Capacity}");
        else if (Ptr->len == 0) { if (requireMessage && Capacity > 0) problems.Add("the message is empty (len 0)"); }
        else
        {
            var bytes = new ReadOnlySpan<byte>(_message, (int)Ptr->len);
            if (!NativeText.IsUtf8(bytes))
                problems.Add($"the message is not valid UTF-8 (truncation must stop at a character boundary): {NativeText.Quote(bytes)}");
        }
        return problems;
    }

    public void Dispose()
    {
        NativeMemory.Free(_message);
        NativeMemory.Free(Ptr);
    }
}
