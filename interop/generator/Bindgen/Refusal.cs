// How `nplug bindgen` refuses a header: `<file>:<line>: rule I<n>: <what is wrong and what to do>` (interop/
// interfaces.md, section 1), so that an editor jumps to the line and the user looks the rule up by its number.
using NativePlugins.Generator.Parsing;

namespace NativePlugins.Generator.Bindgen;

internal static class Refusal
{
    public static GeneratorException At(SourceSite site, int rule, string message) =>
        new($"{site.File}:{site.Line}: rule I{rule}: {message}");

    public static GeneratorException At(string file, int line, int rule, string message) =>
        new($"{file}:{line}: rule I{rule}: {message}");
}
