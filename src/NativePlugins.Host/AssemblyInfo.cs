using System.Runtime.CompilerServices;

// Every signature that crosses the boundary is blittable (the ABI has no bool, char or enum: interop/README.md,
// rule A1), so the runtime never needs to generate marshalling stubs for this assembly.
[assembly: DisableRuntimeMarshalling]

// Error buffers and negotiation structs live on the stack of every call; they are always fully initialised
// before use, so zeroing them first is wasted work on the per-batch path.
[module: SkipLocalsInit]
