using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Conformance.Harness;
using NativePlugins.Interop;

namespace NativePlugins.Conformance.Suite.Checks;

/// <summary>Rule P13: np.state/1 (ABI 1.3, optional). save appends into the caller's np_out_bytes_t (growing it
/// through reserve, refusing a fixed buffer that is too small), does not change the instance, and what it wrote
/// restores into a fresh instance that then continues where the saved one stood; bytes the plugin does not understand
/// are refused with a status, and the instance stays usable.</summary>
internal static unsafe class StateChecks
{
    public static IEnumerable<Check> All =>
    [
        new(new("state.save-restore", "P13",
            "np.state/1 (ABI 1.3, when offered): save grows a 1-byte buffer through reserve and refuses a fixed one that is too small with NP_ERR_OUT_OF_MEMORY; " +
            "save -> restore into a fresh instance, then flush, emits what the saved instance's flush emits; garbage is refused with NP_ERR_INPUT or NP_ERR_UNSUPPORTED and the instance stays usable.",
            CheckScope.Transform, "transform-b"), SaveRestore),
    ];

    /// <summary>Bytes no plugin's state format should take: a format tag of its own is what tells a blob apart.</summary>
    private static readonly byte[] s_garbage = [.. "\xFF\xFEnot a state of any plugin\x00"u8, .. Enumerable.Repeat((byte)0xA5, 48)];

    private static void SaveRestore(CheckContext c)
    {
        var plugin = c.Plugin;
        if (plugin.Library.AgreedMinor < 3) c.Skip($"the agreed ABI minor is {plugin.Library.AgreedMinor}: np.state/1 is ABI 1.3");
        var entry = plugin.Snapshot.Interfaces.FirstOrDefault(i => i.Is(NpAbi.NP_STATE_ID_STRING));
        if (entry is null) c.Skip("the plugin offers no np.state/1 (it is optional)");
        var vt = (np_state_v1_t*)entry!.Vtable;
        if (vt == null) c.Fail("the np.state/1 vtable is NULL");
        var minSize = NpAbiLayout.Find("np_state_v1_t")!.Size;
        if (vt->struct_size < minSize) c.Fail($"np_state_v1_t.struct_size is {vt->struct_size}; it is {minSize} bytes at ABI 1.3");
        if (vt->save == null || vt->restore == null) c.Fail($"np_state_v1_t.{(vt->save == null ? "save" : "restore")} is NULL");

        // The reference: the sample stream without a flush, saved, then flushed.
        using var saved = Open(c, "the instance to save");
        for (var i = 0; i < c.Batches.Count; i++) saved.Process(c.Batches[i], call: $"process(batch {i + 1})");

        c.Phase("save into a 1-byte buffer that grows");
        using var grown = new GuardedOutBytes(1, growable: true);
        using (var error = new ErrorBuffer())
        {
            var status = vt->save(saved.Instance, grown.Ptr, error.Ptr);
            if (status != NpAbi.NP_OK) c.Fail($"save returned {Status.Name(status)}: {error.Describe()}");
            if (grown.Violation() is { } v) c.Fail($"save broke the np_out_bytes_t protocol: {v} (rule P10)");
        }
        var blob = grown.Bytes();
        if (blob.Length > 1 && grown.ReserveCalls == 0) c.Problem($"save appended {blob.Length} bytes into a 1-byte buffer without calling reserve");

        c.Phase("save again: save does not change the instance");
        using (var again = new GuardedOutBytes(1, growable: true))
        using (var error = new ErrorBuffer())
        {
            var status = vt->save(saved.Instance, again.Ptr, error.Ptr);
            if (status != NpAbi.NP_OK) c.Problem($"a second save returned {Status.Name(status)}: {error.Describe()}");
            else if (!again.Bytes().AsSpan().SequenceEqual(blob)) c.Problem("a second save in a row wrote other bytes than the first (save must not change the instance)");
        }

        if (blob.Length > 0)
        {
            c.Phase($"save into a fixed buffer of {blob.Length - 1} bytes");
            using var small = new GuardedOutBytes((ulong)blob.Length - 1, growable: false);
            using var error = new ErrorBuffer();
            var status = vt->save(saved.Instance, small.Ptr, error.Ptr);
            if (small.Violation() is { } v) c.Fail($"save into a fixed buffer that is too small: {v} (rule P10)");
            if (status != NpAbi.NP_ERR_OUT_OF_MEMORY)
                c.Problem($"save into a fixed {blob.Length - 1}-byte buffer (the state is {blob.Length} bytes) returned {Status.Name(status)}; NP_ERR_OUT_OF_MEMORY expected (np_types.h)");
        }

        c.Phase("restore into a fresh instance, then flush both");
        using var restored = Open(c, "the instance to restore into");
        fixed (byte* p = blob)
        {
            using var error = new ErrorBuffer();
            var status = vt->restore(restored.Instance, new np_bytes_t { ptr = p, len = (ulong)blob.Length }, error.Ptr);
            if (status != NpAbi.NP_OK) c.Fail($"restore of the {blob.Length} bytes save wrote returned {Status.Name(status)}: {error.Describe()}");
        }
        var expected = saved.Flush();
        var actual = restored.Flush();
        if (CallOutcome.Difference(expected, actual) is { } d)
            c.Problem($"after restore, flush differs from the saved instance's flush: {d}");

        c.Phase("restore of bytes that are no state");
        using var fresh = Open(c, "the instance given garbage");
        fixed (byte* p = s_garbage)
        {
            using var error = new ErrorBuffer();
            var status = vt->restore(fresh.Instance, new np_bytes_t { ptr = p, len = (ulong)s_garbage.Length }, error.Ptr);
            if (status == NpAbi.NP_OK)
                c.Problem($"restore accepted {s_garbage.Length} bytes of garbage (put a format tag in the state and check it: rule P13)");
            else if (status is not (NpAbi.NP_ERR_INPUT or NpAbi.NP_ERR_UNSUPPORTED))
                c.Problem($"restore of garbage returned {Status.Name(status)}; NP_ERR_INPUT (or NP_ERR_UNSUPPORTED) expected: {error.Describe()}");
        }
        var after = fresh.Process(c.Batches.Count > 0 ? c.Batches[0] : [], call: "process after the refused restore");
        if (after.Status is NpAbi.NP_ERR_STATE or NpAbi.NP_ERR_PANIC)
            c.Problem($"the instance is not usable after a refused restore: {after.Describe()}");
        c.Passed($"state of {blob.Length} bytes ({grown.ReserveCalls} reserve call(s) from a 1-byte buffer), round trip equal, garbage refused");
    }

    private static TransformSession Open(CheckContext c, string what)
    {
        c.Phase($"create {what}");
        var s = TransformSession.TryOpen(c.Plugin, out var created);
        if (s is null) c.Fail(created.Describe());
        return s!;
    }

    /// <summary>A caller-owned np_out_bytes_t for the check: native memory followed by guard bytes, a reserve that
    /// moves the data to a new block each time (so a plugin that keeps a stale pointer writes into the guard-checked
    /// old block), and the host's own record of the block in <c>context</c>.</summary>
    private sealed class GuardedOutBytes : IDisposable
    {
        private const int GuardBytes = 32;
        private const byte GuardFill = 0xE7;

        [StructLayout(LayoutKind.Sequential)]
        private struct Block
        {
            public byte* Data;
            public ulong Capacity;
            public long ReserveCalls;
        }

        private readonly np_out_bytes_t* _out;
        private readonly Block* _block;

        public GuardedOutBytes(ulong capacity, bool growable)
        {
            _block = (Block*)NativeMemory.AllocZeroed((nuint)sizeof(Block));
            _block->Data = Allocate(capacity);
            _block->Capacity = capacity;
            _out = (np_out_bytes_t*)NativeMemory.AllocZeroed((nuint)sizeof(np_out_bytes_t));
            _out->struct_size = (uint)sizeof(np_out_bytes_t);
            _out->data = _block->Data;
            _out->capacity = capacity;
            _out->context = _block;
            _out->reserve = growable ? &Reserve : null;
        }

        public np_out_bytes_t* Ptr => _out;
        public long ReserveCalls => _block->ReserveCalls;

        public byte[] Bytes() => new ReadOnlySpan<byte>(_block->Data, (int)Math.Min(_out->len, _block->Capacity)).ToArray();

        /// <summary>Null when the callee kept to the protocol, else what it broke.</summary>
        public string? Violation()
        {
            if (new ReadOnlySpan<byte>(_block->Data + _block->Capacity, GuardBytes).IndexOfAnyExcept(GuardFill) >= 0)
                return $"wrote past the end of the buffer (capacity {_block->Capacity})";
            if (_out->data != _block->Data) return "changed np_out_bytes_t.data (only reserve may move it)";
            if (_out->capacity != _block->Capacity) return $"changed np_out_bytes_t.capacity to {_out->capacity}";
            if (_out->len > _block->Capacity) return $"set len {_out->len} beyond the capacity {_block->Capacity}";
            return null;
        }

        private static byte* Allocate(ulong capacity)
        {
            var p = (byte*)NativeMemory.Alloc((nuint)(capacity + GuardBytes));
            new Span<byte>(p + capacity, GuardBytes).Fill(GuardFill);
            return p;
        }

        [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
        private static int Reserve(np_out_bytes_t* o, ulong additional)
        {
            try
            {
                var block = (Block*)o->context;
                block->ReserveCalls++;
                if (o->len > block->Capacity || additional > int.MaxValue) return NpAbi.NP_ERR_OUT_OF_MEMORY;
                var needed = o->len + additional;
                if (needed <= block->Capacity) return NpAbi.NP_OK;
                var moved = Allocate(needed);
                Buffer.MemoryCopy(block->Data, moved, needed, o->len);
                NativeMemory.Free(block->Data);
                block->Data = moved;
                block->Capacity = needed;
                o->data = moved;
                o->capacity = needed;
                return NpAbi.NP_OK;
            }
            catch
            {
                return NpAbi.NP_ERR_OUT_OF_MEMORY; // nothing may escape into the plugin
            }
        }

        public void Dispose()
        {
            NativeMemory.Free(_block->Data);
            NativeMemory.Free(_block);
            NativeMemory.Free(_out);
        }
    }
}
