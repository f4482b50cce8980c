using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativePlugins.Interop;

namespace NativePlugins.Benchmarks.Abi;

/// <summary>
/// The floor of the .NET side for the throughput pipeline: the same three instances called straight through their
/// vtables into <see cref="RawEmitter"/>s, like the C harness's pipeline/c_raw. No lifetime references, no locks, no
/// emitter checks, and no 256-bit stores before the calls (<see cref="SkipLocalsInitAttribute"/>, error struct built
/// field by field): with the upper YMM state dirty, every call into SSE-compiled plugin code pays an AVX-to-SSE
/// transition, which the JIT does not prevent for function-pointer calls (benchmarks/README.md, "findings").
/// </summary>
[SkipLocalsInit]
public sealed unsafe class RawPipeline : IDisposable
{
    private readonly RawVTables _library;
    private readonly np_transform_v1_t*[] _vt;
    private readonly nint[] _instances;
    private readonly RawEmitter[] _outputs;
    private readonly byte* _message;

    public RawPipeline(string libraryPath, (string PluginId, string Config)[] stages)
    {
        _library = new RawVTables(libraryPath);
        _vt = new np_transform_v1_t*[stages.Length];
        _instances = new nint[stages.Length];
        _outputs = new RawEmitter[stages.Length];
        for (int i = 0; i < stages.Length; i++)
        {
            _instances[i] = (nint)_library.CreateTransform(stages[i].PluginId, stages[i].Config, out var vt);
            _vt[i] = vt;
            _outputs[i] = new RawEmitter();
        }
        _message = (byte*)NativeMemory.Alloc(256);
    }

    /// <summary>Runs one batch through every stage; returns the number of records leaving the last one.</summary>
    public ulong Process(np_batch_t* input)
    {
        np_batch_t between;
        np_batch_t* current = input;
        np_error_t error;
        for (int i = 0; i < _vt.Length; i++)
        {
            var output = _outputs[i];
            output.Clear();
            error.message = _message;
            error.capacity = 256;
            error.len = 0;
            error.code = 0;
            error.reserved = 0;
            int status = _vt[i]->process((np_instance_t*)_instances[i], current, output.Emitter, &error);
            if (status != NpAbi.NP_OK) throw new InvalidOperationException($"stage {i}: process returned {status}");
            between = output.AsBatch();
            current = &between;
        }
        return current->count;
    }

    /// <summary>Record <paramref name="index"/> of the last stage's output.</summary>
    public ReadOnlySpan<byte> Output(int index)
    {
        var e = _outputs[^1].Emitter;
        return new ReadOnlySpan<byte>(e->data + e->offsets[index], (int)(e->offsets[index + 1] - e->offsets[index]));
    }

    public void Dispose()
    {
        for (int i = 0; i < _vt.Length; i++)
        {
            _vt[i]->destroy((np_instance_t*)_instances[i]);
            _outputs[i].Dispose();
        }
        NativeMemory.Free(_message);
        _library.Dispose();
    }
}
