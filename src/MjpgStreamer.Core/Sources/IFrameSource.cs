using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Core.Sources;

/// <summary>
/// A producer of JPEG frames (folder, test pattern, child process, camera). It owns its device for the
/// duration of <see cref="RunAsync"/> and releases it before that task completes.
/// </summary>
public interface IFrameSource
{
    /// <summary>The plugin's display name, as program.json shows it ("FILE input plugin").</summary>
    string DisplayName { get; }

    /// <summary>Produces frames into the context until cancelled. Failures are states, not exceptions.</summary>
    Task RunAsync(SourceContext context, CancellationToken cancellation);

    /// <summary>The input's controls for input.json (none for most sources).</summary>
    IReadOnlyList<Control> Controls => [];

    /// <summary>The input's formats for input.json (none for most sources).</summary>
    IReadOnlyList<VideoFormat> Formats => [];

    /// <summary>
    /// Runs a control command (?action=command, dest=0): 0 when done, -1 when refused or the source has no such
    /// control. A source that must touch its device does so on its own thread and completes the task from there:
    /// the request thread never blocks on a device.
    /// </summary>
    ValueTask<int> ExecuteCommandAsync(CommandRequest command, CancellationToken cancellation) => ValueTask.FromResult(-1);
}
