using System.Globalization;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Hosting;

/// <summary>
/// What the systemd watchdog asks before each WATCHDOG=1: is anything hung? An output is hung when it no longer
/// serves (<see cref="IOutput.IsAlive"/>: Kestrel stopped or faulted). An input is hung when its source's loop
/// gave no sign of life (<see cref="SourceContext.LastBeat"/>) for longer than its own bound
/// (<see cref="SourceContext.BeatWithin"/>) plus <see cref="Margin"/>, e.g. a camera thread stuck in the kernel,
/// or when its source has not let go of the device <see cref="LetGoLimit"/> after a pause, still or stop asked it
/// to. No signal is not hung (its retry loop beats twice a second); neither is a paused input (no loop runs) nor a
/// source waiting without bound for an event (a viewer, a new file: it declares no bound meanwhile).
/// </summary>
internal static class ServiceHealth
{
    /// <summary>Slack over a loop's own bound: a loaded machine, a garbage collection.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    /// <summary>How long a source may take to end its run once cancelled (a program's stop takes about a second).</summary>
    public static readonly TimeSpan LetGoLimit = TimeSpan.FromSeconds(10);

    /// <summary>The first problem found, in one line, or null when everything is alive.</summary>
    public static string? FindProblem(IReadOnlyList<CameraStream> inputs, IReadOnlyList<IOutput> outputs, TimeProvider time)
    {
        foreach (var output in outputs)
        {
            if (!output.IsAlive)
            {
                return $"output {output.Id} ({output.Plugin}) no longer serves";
            }
        }

        foreach (var input in inputs)
        {
            if (input.LettingGoSince is { } since && time.GetElapsedTime(since) is var letting && letting > LetGoLimit)
            {
                return $"input {input.Id} ({input.Plugin}): the source has not let go for {Seconds(letting)} s";
            }

            var context = input.Context;
            if (context.BeatWithin is { } within && time.GetElapsedTime(context.LastBeat) is var silent && silent > within + Margin)
            {
                return $"input {input.Id} ({input.Plugin}): its loop gave no sign of life for {Seconds(silent)} s";
            }
        }

        return null;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
}
