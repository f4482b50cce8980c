// Where bindgen finds the ABI's own headers (`#include <nplug/nplug.h>` in a contract): the copy shipped next to the
// tool (`<tool>/include/nplug/`, copied there by the generator's project file, so `nplug bindgen` works outside this
// repository), else the repository's interop/include when run from inside a checkout.
using NativePlugins.Generator.Parsing;

namespace NativePlugins.Generator.Bindgen;

public static class AbiHeaders
{
    public static string Locate()
    {
        string shipped = Path.Combine(AppContext.BaseDirectory, "include");
        if (File.Exists(Path.Combine(shipped, HeaderParser.UmbrellaHeader))) return shipped;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string repo = Path.Combine(dir.FullName, "interop", "include");
            if (File.Exists(Path.Combine(repo, HeaderParser.UmbrellaHeader))) return repo;
        }
        throw new GeneratorException($"the ABI headers are missing: expected {Path.Combine(shipped, HeaderParser.UmbrellaHeader)} " +
                                     "(reinstall nplug; it ships them next to the executable)");
    }
}
