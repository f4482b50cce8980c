using NativePlugins.Generator.Model;

namespace NativePlugins.PluginSdk.Tests.Interfaces;

/// <summary>
/// The <see cref="ContractModel"/> of tests/examples/greeter/include/acme/greeter.h as the bindgen parser describes it
/// (interop/interfaces.md section 1), written out so that the plugin glue emitter is tested on its own model.
/// </summary>
internal static class GreeterModel
{
    private static readonly PrimitiveType U32 = new("uint32_t"), I64 = new("int64_t"), U64 = new("uint64_t");
    private static readonly AliasType Status = new("np_status", new PrimitiveType("int32_t"));
    private static readonly StructType Instance = new("acme_greeter_t");

    private static PointerType Ptr(AbiType t, bool pointeeConst = false) => new(t, pointeeConst);

    public static ContractModel Build()
    {
        var create = new FunctionPointerType(Status, [
            new("host", Ptr(new StructType("np_host_t"), true)), new("config", new StructType("np_str_t")),
            new("out_instance", Ptr(Ptr(Instance))), new("error", Ptr(new StructType("np_error_t")))]);
        var destroy = new FunctionPointerType(PrimitiveType.Void, [new("instance", Ptr(Instance))]);
        var greet = new FunctionPointerType(Status, [
            new("instance", Ptr(Instance)), new("name", new StructType("np_str_t")),
            new("out", Ptr(new StructType("np_out_bytes_t"))), new("error", Ptr(new StructType("np_error_t")))]);
        var add = new FunctionPointerType(Status, [
            new("instance", Ptr(Instance)), new("a", I64), new("b", I64), new("out_sum", Ptr(I64)),
            new("error", Ptr(new StructType("np_error_t")))]);
        var count = new FunctionPointerType(U64, [new("instance", Ptr(Instance, true))]);

        AbiField Field(string name, AbiType type, uint offset, uint size, string doc, uint since = 0) =>
            new(name, type, "", offset, size, since, doc);
        var fields = new List<AbiField>
        {
            Field("struct_size", U32, 0, 4, ""),
            Field("reserved", U32, 4, 4, "must be 0"),
            Field("create", create, 8, 8, "[thread-safe] @create Create an instance from config (UTF-8, the plugin's own format). Never NULL."),
            Field("destroy", destroy, 16, 8, "[instance] @destroy Destroy the instance. NULL is a no-op. Never NULL."),
            Field("greet", greet, 24, 8, "[instance] Append \"Hello, <name>!\" to out. @returns text Never NULL."),
            Field("add", add, 32, 8, "[instance] *out_sum = a + b; NP_ERR_INPUT on overflow. Never NULL."),
            Field("count", count, 40, 8, "[instance][leaf] Greetings so far. Optional: NULL when not provided. @since 1.1", 1),
        };
        var vtable = new AbiStruct("acme_greeter_v1_t", "acme_greeter_v1", "greeter.h", 48, 8, false, 0, fields,
            "The vtable of acme.greeter/1. @interface acme.greeter/1");
        var opaque = new AbiStruct("acme_greeter_t", "acme_greeter", "greeter.h", 0, 0, true, 0, [], "");

        var functions = new List<InterfaceFunction>
        {
            new(fields[2], create, true, FunctionRole.Create, null, "create", ["thread-safe"]),
            new(fields[3], destroy, true, FunctionRole.Destroy, null, "destroy", ["instance"]),
            new(fields[4], greet, true, FunctionRole.Method,
                new WrapperShape(true, [new WrapperInput(1, "name", InputKind.Text, new StructType("np_str_t"))],
                    new WrapperResult(ResultKind.OutText, 2, null), true, 3), null, ["instance"]),
            new(fields[5], add, true, FunctionRole.Method,
                new WrapperShape(true, [new WrapperInput(1, "a", InputKind.Integer, I64), new WrapperInput(2, "b", InputKind.Integer, I64)],
                    new WrapperResult(ResultKind.OutInteger, 3, I64), true, 4), null, ["instance"]),
            new(fields[6], count, false, FunctionRole.Method,
                new WrapperShape(true, [], new WrapperResult(ResultKind.ReturnValue, -1, U64), false, -1), null, ["instance", "leaf"]),
        };
        var itf = new InterfaceModel("acme.greeter/1", 1, 1, vtable, opaque, [vtable], functions, [0, 0]);
        var declarations = new AbiModel(1, 2, ["greeter.h"],
            [new AbiConstant("ACME_GREETER_ID", ConstantKind.String, "acme.greeter/1", "greeter.h", "")], [],
            [opaque, vtable], []);
        return new ContractModel(["tests/examples/greeter/include/acme/greeter.h"], "greeter", declarations, [itf],
            "Acme.Greeter", "greeter",
            "nplug bindgen include/acme/greeter.h --include include --csharp-namespace Acme.Greeter --rust-module greeter --out generated");
    }
}
