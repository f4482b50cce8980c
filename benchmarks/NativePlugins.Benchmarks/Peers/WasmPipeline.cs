using System.Runtime.InteropServices;
using System.Text;
using Wasmtime;

namespace NativePlugins.Benchmarks.Peers;

/// <summary>
/// The WebAssembly peer: a pipeline of Wasm plugin instances run by Wasmtime for .NET, the way a Wasm plugin host
/// (Extism and others) runs plugins. The module (<see cref="PeerPaths.WasmModule"/>) is compiled once per engine;
/// each stage is its own instance in its own <see cref="Store"/>, so each has its own linear memory and nothing is
/// shared between plugins. Per batch and stage: one call; the records move as block copies, host memory into the
/// first stage's linear memory, one stage's output area straight into the next one's input area, the last output
/// back into host memory (<see cref="WasmRecords"/>). The stages' code is benchmarks/native/plugins/np_bench_plugin.c
/// compiled for wasm32 (benchmarks/peers/wasm/np_bench_wasm_stage.c). Not thread-safe (one caller at a time).
/// </summary>
public sealed class WasmPipeline : IDisposable
{
    private readonly Engine _engine;
    private readonly Module _module;
    private Stage[] _stages = [];
    private readonly WasmRecords _output = new();

    /// <summary>Compiles the module (the load); <see cref="Create"/> instantiates the stages.</summary>
    public WasmPipeline(string modulePath)
    {
        _engine = new Engine();
        _module = Module.FromFile(_engine, modulePath);
        if (_module.Imports.Count != 0)
            throw new InvalidOperationException($"{modulePath}: the Wasm stage module must import nothing, it imports " +
                string.Join(", ", _module.Imports.Select(i => $"{i.ModuleName}.{i.Name}")));
    }

    /// <summary>One instance per stage, each created with its plugin id and config (as np.transform/1 create).</summary>
    public void Create(IReadOnlyList<(string PluginId, string Config)> stages)
    {
        if (_stages.Length != 0) throw new InvalidOperationException("the Wasm pipeline's stages are already created");
        _stages = stages.Select(s => new Stage(_engine, _module, s.PluginId, s.Config)).ToArray();
    }

    /// <summary>One batch through every stage; the result is host memory owned by this pipeline, valid until the next call.</summary>
    public WasmRecords Process(WasmRecords input)
    {
        var first = _stages[0];
        first.ReserveInput(input.DataLength, input.Count);
        input.Data.AsSpan(0, input.DataLength).CopyTo(first.InputData(input.DataLength));
        input.Offsets.AsSpan(0, input.Count + 1).CopyTo(first.InputOffsets(input.Count));
        first.Process(input.Count);
        for (int s = 1; s < _stages.Length; s++)
        {
            var (from, to) = (_stages[s - 1], _stages[s]);
            to.ReserveInput(from.OutputBytes, from.OutputCount);
            from.OutputData().CopyTo(to.InputData(from.OutputBytes));
            from.OutputOffsets().CopyTo(to.InputOffsets(from.OutputCount));
            to.Process(from.OutputCount);
        }
        var last = _stages[^1];
        _output.Reset(last.OutputBytes, last.OutputCount);
        last.OutputData().CopyTo(_output.Data);
        last.OutputOffsets().CopyTo(_output.Offsets);
        return _output;
    }

    public void Dispose()
    {
        foreach (var stage in _stages) stage.Dispose();
        _stages = [];
        _module.Dispose();
        _engine.Dispose();
    }

    /// <summary>stage_io_t of np_bench_wasm_stage.c: where the instance's input and output areas are.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StageIo
    {
        public uint InputData, InputOffsets, OutputData, OutputOffsets;
        public ulong OutputCount, OutputBytes;
        public uint ErrorLen, ErrorMessage;
    }

    /// <summary>One plugin instance: its store, linear memory and exports.</summary>
    private sealed class Stage : IDisposable
    {
        private readonly Store _store;
        private readonly Memory _memory;
        private readonly Func<int, int, int> _reserveInput;
        private readonly Func<int, int> _process;
        private readonly int _io;
        private readonly string _id;
        private StageIo _state;
        private int _inputBytesCapacity = -1, _inputRecordsCapacity = -1;

        public Stage(Engine engine, Module module, string pluginId, string config)
        {
            _id = pluginId;
            _store = new Store(engine);
            var instance = new Instance(_store, module);
            _memory = instance.GetMemory("memory") ?? throw Missing("memory");
            var alloc = instance.GetFunction<int, int>("stage_alloc") ?? throw Missing("stage_alloc");
            var create = instance.GetFunction<int, int, int, int, int>("stage_create") ?? throw Missing("stage_create");
            _reserveInput = instance.GetFunction<int, int, int>("stage_reserve_input") ?? throw Missing("stage_reserve_input");
            _process = instance.GetFunction<int, int>("stage_process") ?? throw Missing("stage_process");
            _io = (instance.GetFunction<int>("stage_io") ?? throw Missing("stage_io"))();
            int id = Place(alloc, pluginId), cfg = Place(alloc, config);
            Check(create(id, Encoding.UTF8.GetByteCount(pluginId), cfg, Encoding.UTF8.GetByteCount(config)), "stage_create");
        }

        public int OutputCount => (int)_state.OutputCount;
        public int OutputBytes => (int)_state.OutputBytes;

        public void ReserveInput(int bytes, int records)
        {
            if (bytes <= _inputBytesCapacity && records <= _inputRecordsCapacity) return;
            Check(_reserveInput(bytes, records), "stage_reserve_input");
            (_inputBytesCapacity, _inputRecordsCapacity) = (bytes, records);
        }

        public Span<byte> InputData(int bytes) => _memory.GetSpan(_state.InputData, bytes);
        public Span<ulong> InputOffsets(int records) => _memory.GetSpan<ulong>(_state.InputOffsets, records + 1);
        public Span<byte> OutputData() => _memory.GetSpan(_state.OutputData, OutputBytes);
        public Span<ulong> OutputOffsets() => _memory.GetSpan<ulong>(_state.OutputOffsets, OutputCount + 1);

        public void Process(int records) => Check(_process(records), "stage_process");

        public void Dispose() => _store.Dispose();

        /// <summary>Reads the instance's stage_io_t after a call (it says where the areas are, and they can move).</summary>
        private void Check(int status, string call)
        {
            _state = _memory.Read<StageIo>(_io);
            if (status == 0) return;
            var message = _state.ErrorLen > 0 ? Encoding.UTF8.GetString(_memory.GetSpan(_state.ErrorMessage, (int)_state.ErrorLen)) : "no message";
            throw new InvalidOperationException($"{PeerPaths.WasmModule}: {_id}: {call} failed with status {status}: {message}");
        }

        private int Place(Func<int, int> alloc, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            int at = alloc(Math.Max(bytes.Length, 1));
            if (at == 0) throw new OutOfMemoryException($"{PeerPaths.WasmModule}: stage_alloc failed");
            bytes.CopyTo(_memory.GetSpan(at, bytes.Length));
            return at;
        }

        private static InvalidOperationException Missing(string export) =>
            new($"{PeerPaths.WasmModule}: the module has no export '{export}'");
    }
}
