// Entry point: `dotnet run --project interop/generator -- --write | --check | --dump` (see README.md).
using NativePlugins.Generator;

return Cli.Run(args);
