using NativePlugins.Cli;

return NplugCli.Run(args);
