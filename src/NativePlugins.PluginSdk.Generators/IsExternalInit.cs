// Lets records and init-only properties compile for netstandard2.0 (the compiler only needs the type to exist).
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
