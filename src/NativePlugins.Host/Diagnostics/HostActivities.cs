using System.Diagnostics;
using static NativePlugins.Hosting.Diagnostics.PluginTelemetry;

namespace NativePlugins.Hosting.Diagnostics;

/// <summary>
/// The spans of loads and creates (<see cref="PluginTelemetry.LoadActivity"/>, <see cref="PluginTelemetry.CreateActivity"/>).
/// An <see cref="ActivitySource"/> has no factory to come from, so there is one per process; with no listener
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and nothing else runs.
/// </summary>
internal static class HostActivities
{
    public static readonly ActivitySource Source =
        new(SourceName, typeof(HostActivities).Assembly.GetName().Version?.ToString(3));

    public static Activity? StartLoad(string path)
    {
        var activity = Source.StartActivity(LoadActivity, ActivityKind.Internal);
        activity?.SetTag(FileTag, path);
        return activity;
    }

    public static void Loaded(Activity activity, PluginLibrary library)
    {
        activity.SetTag(FileTag, library.FilePath);
        activity.SetTag(PluginIdTag, string.Join(",", library.Plugins.Select(p => p.Id)));
        activity.SetTag(OutcomeTag, OutcomeOk);
    }

    public static void Refused(Activity activity, PluginLoadException error)
    {
        activity.SetTag(FileTag, error.FilePath);
        if (error.PluginId is { } id) activity.SetTag(PluginIdTag, id);
        activity.SetTag(OutcomeTag, OutcomeRefused);
        activity.SetTag(ErrorTypeTag, error.Reason.ToString());
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
    }

    public static Activity? StartCreate(PluginInfo plugin, string interfaceId)
    {
        var activity = Source.StartActivity(CreateActivity, ActivityKind.Internal);
        if (activity is null) return null;
        activity.SetTag(FileTag, plugin.FilePath);
        activity.SetTag(PluginIdTag, plugin.Id);
        activity.SetTag(InterfaceIdTag, interfaceId);
        return activity;
    }

    public static void Failed(Activity activity, string errorType, string message)
    {
        activity.SetTag(OutcomeTag, OutcomeRefused);
        activity.SetTag(ErrorTypeTag, errorType);
        activity.SetStatus(ActivityStatusCode.Error, message);
    }
}
