using Microsoft.Extensions.Logging;

namespace NativePlugins.Hosting;

// A pipeline that owns its stages follows hot reloads (PluginHost.Reload.cs) at a batch boundary: at the start of a
// Process or Flush after a reload, each stage whose library was replaced gets a successor instance from the newest
// version, with the same plugin id and config. The old instance has seen every record up to the last batch and
// may hold some back (a partial line, a window): within this call, before the successor sees anything, the old
// instance is flushed into the stage's output buffer, so what it held back flows downstream ahead of the new
// records, and then it is destroyed. No record is lost and none is processed twice. The cost on a batch without a
// reload is one volatile read and a compare.
// When both versions offer np.state/1 (ABI 1.3), the old instance is not flushed: its state is saved (it is drained:
// its last call was the previous batch) and restored into the successor before the successor's first call, so the
// stream continues in the new version as if nothing had happened (a count goes on, a held-back record comes out
// once). A failed save or restore leaves the stage on its old instance, raises PluginHost.ReloadFailed
// (StateHandOverFailed) and is not retried until the next reload; a version without np.state/1 on either side is
// flushed into the stream as above.
public sealed partial class Pipeline
{
    private readonly PluginHost _host;
    private int _seenGeneration;
    private TransformInstance?[]? _retiring; // per stage: the old instance to flush and destroy in this call

    /// <summary>Swaps every stage whose library was reloaded for an instance of the new version. A stage whose new
    /// version refuses its config (create fails) keeps its old instance, and the failure is logged at Warning.</summary>
    private void FollowReloads()
    {
        var generation = _host.ReloadGeneration;
        bool complete = true;
        for (int i = 0; i < _stages.Length; i++)
        {
            var stage = _stages[i];
            if (_retiring?[i] is not null) { complete = false; continue; } // an earlier call failed before retiring it
            var successor = CreateSuccessor(stage);
            if (successor is null) continue;
            if (stage.SupportsState && successor.SupportsState)
            {
                if (!HandOverState(stage, successor)) continue;
                _stages[i] = successor;
                _stats[i].Stage = successor;
                stage.Dispose(); // its state lives on in the successor: flushing it too would emit twice
                continue;
            }
            _retiring ??= new TransformInstance?[_stages.Length];
            _retiring[i] = stage;
            _stages[i] = successor;
            _stats[i].Stage = successor;
        }
        if (complete) _seenGeneration = generation;
        PlanChains(); // a successor may live in another worker than the instance it replaced
    }

    private TransformInstance? CreateSuccessor(TransformInstance stage)
    {
        for (int attempt = 0; ; attempt++)
        {
            var newest = _host.Newest(stage.Library);
            if (ReferenceEquals(newest, stage.Library)) return null;
            try
            {
                return newest.CreateTransform(stage.Plugin.Id, stage.Config);
            }
            catch (ObjectDisposedException) when (attempt < 8)
            {
                // Replaced again between the lookup and the create: take the newer one.
            }
            catch (Exception e) when (e is PluginCallException or PluginNotFoundException or NotSupportedException or ObjectDisposedException)
            {
                _host.Logger.LogWarning("pipeline stage {Stage} stays on {File} {Version}: its new version gave no instance: {Error}",
                    stage.Plugin.Id, stage.Library.LoadedFrom, stage.Plugin.Version, e.Message);
                return null;
            }
        }
    }

    /// <summary>Saves <paramref name="old"/> and restores the bytes into <paramref name="successor"/>. On a failure the
    /// successor is disposed, the old instance stays, and ReloadFailed is raised naming the plugin and the reason.</summary>
    private bool HandOverState(TransformInstance old, TransformInstance successor)
    {
        try
        {
            successor.RestoreState(old.SaveState());
            return true;
        }
        catch (PluginCallException e)
        {
            successor.Dispose();
            var error = new PluginLoadException(PluginLoadError.StateHandOverFailed, old.Library.FilePath, old.Plugin.Id,
                $"the state of a running instance could not be carried from {old.Plugin.Version} to " +
                $"{successor.Plugin.Version} ({e.Operation} failed), so it stays on {old.Plugin.Version}: {e.PluginMessage}", e);
            _host.RaiseReloadFailed(old.Library, error);
            return false;
        }
    }

    /// <summary>Flushes the old instance of stage <paramref name="index"/> into its output (counted in the stage's
    /// stats) and destroys it, even when the flush fails.</summary>
    private long Retire(int index, TransformInstance old, RecordBuffer output, long time)
    {
        try
        {
            return Run(index, old, default, output, flush: true, time);
        }
        finally
        {
            _retiring![index] = null;
            old.Dispose();
        }
    }
}
