using System.ComponentModel;
using NativePlugins.Hosting.Instances;

namespace NativePlugins.Hosting;

/// <summary>A call in flight on a <see cref="NativeInstance"/>: what <c>EnterCall</c> returns and <c>ExitCall</c>
/// takes back (the thread and the gate's path). For generated wrappers only.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct NativeCall
{
    internal NativeCall(int thread, CallPath path)
    {
        Thread = thread;
        Path = path;
    }

    internal int Thread { get; }

    internal CallPath Path { get; }
}
