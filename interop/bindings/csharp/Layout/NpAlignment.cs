using System.Runtime.InteropServices;

namespace NativePlugins.Interop;

/// <summary>The alignment this runtime gives a struct (C#'s missing alignof): the offset of a T after one byte.</summary>
public static unsafe class NpAlignment
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Probe<T> where T : unmanaged
    {
        public byte Pad;
        public T Value;
    }

    public static uint Of<T>() where T : unmanaged
    {
        Probe<T> probe = default;
        return (uint)((byte*)&probe.Value - (byte*)&probe);
    }
}
