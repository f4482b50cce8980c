using NativePlugins.PluginSdk;

namespace Acme.Greeter.Plugins;

/// <summary>
/// acme.greeter/1 in C#: the same behaviour as the example's C and Rust greeters. Config <c>greeting=&lt;word&gt;</c>
/// (default Hello); greet appends "&lt;greeting&gt;, &lt;name&gt;!"; add fails with NP_ERR_INPUT on overflow. The
/// optional [leaf] count stays NULL: a C# plugin cannot offer a [leaf] function (rule P11).
/// </summary>
[NativePlugin("com.example.greeter.cs", Name = "Greeter (C#)", Version = "1.0.0",
    Description = "Greets by name and adds numbers (acme.greeter/1)", Vendor = "Acme")]
public sealed class Greeter : IAcmeGreeterV1
{
    /// <summary>The options: one word, at most 64 bytes like the C greeter's.</summary>
    public static ConfigSchema ConfigSchema { get; } = new ConfigSchema().String("greeting", nonEmpty: true);

    private readonly string _greeting;

    public Greeter(PluginConfig config)
    {
        _greeting = config.GetString("greeting", "Hello");
        if (System.Text.Encoding.UTF8.GetByteCount(_greeting) > 64)
            throw PluginException.Config($"greeting is {System.Text.Encoding.UTF8.GetByteCount(_greeting)} bytes (at most 64)");
    }

    public void Greet(string name, OutBytes @out)
    {
        @out.WriteUtf8(_greeting);
        @out.Write(", "u8);
        @out.WriteUtf8(name);
        @out.Write("!"u8);
    }

    public long Add(long a, long b)
    {
        long sum = unchecked(a + b);
        // Overflow when both operands have the same sign and the sum's differs.
        if (((a ^ sum) & (b ^ sum)) < 0)
            throw PluginException.Input($"{a} + {b} overflows int64");
        return sum;
    }
}

/// <summary>
/// One class, two interfaces: an np.transform/1 that uppercases records and an acme.greeter/1 that shouts. Each
/// interface's create makes its own object; an instance answers only its own interface's functions. Unlike
/// <see cref="Greeter"/>, add does not check for overflow: the checked sum throws an OverflowException, a bug, which
/// the SDK returns as NP_ERR_PANIC and which poisons the instance (only destroy is accepted afterwards).
/// </summary>
[NativePlugin("com.example.greeter.cs.shouting", Name = "Shouting greeter (C#)", Version = "1.0.0",
    Description = "Uppercases records and greetings", Vendor = "Acme", Threading = PluginThreading.ThreadSafe)]
public sealed class ShoutingGreeter : TransformPlugin, IAcmeGreeterV1
{
    public override void Process(RecordBatch batch, Emitter output)
    {
        for (int i = 0; i < batch.Count; i++)
            output.EmitUtf8(System.Text.Encoding.UTF8.GetString(batch[i]).ToUpperInvariant());
    }

    public void Greet(string name, OutBytes @out) => @out.WriteUtf8($"HELLO, {name.ToUpperInvariant()}!");

    public long Add(long a, long b) => checked(a + b);
}
