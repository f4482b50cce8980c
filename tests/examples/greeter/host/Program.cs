// The reference host: every argument is a plugin library implementing acme.greeter/1. With --isolate first, every
// library runs in a worker process (PluginHostOptions.Isolation) and the output must be the same.
using Acme.Greeter;
using NativePlugins.Hosting;

bool isolate = args.Length > 0 && args[0] == "--isolate";
using var host = new PluginHost(new PluginHostOptions
{
    Interfaces = [AcmeGreeterV1.Contract],
    Isolation = isolate ? PluginIsolation.ProcessPerLibrary : PluginIsolation.InProcess,
});
foreach (var path in isolate ? args[1..] : args)
{
    var library = host.Load(path);
    foreach (var plugin in library.Plugins.Where(p => p.Implements(AcmeGreeterV1.Contract.Id)))
    {
        using var greeter = library.Create<AcmeGreeterV1>(plugin.Id); // empty config: the defaults
        Console.WriteLine($"{plugin.Id}: {greeter.Greet("world")} 2+3={greeter.Add(2, 3)} " +
                          $"count={(greeter.HasCount ? greeter.Count().ToString() : "n/a")}");
        try
        {
            greeter.Add(long.MaxValue, 1);
        }
        catch (PluginCallException e)
        {
            Console.WriteLine($"{plugin.Id}: add(long.MaxValue, 1) failed with {e.StatusName}: {e.PluginMessage}");
        }
        // the service goes first (end of this scope) ...
    }
    library.Dispose(); // ... then the library
}
