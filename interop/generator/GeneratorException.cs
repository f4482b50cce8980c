namespace NativePlugins.Generator;

/// <summary>A problem in the header set or the environment that stops generation; the message says where.</summary>
public sealed class GeneratorException(string message) : Exception(message);
