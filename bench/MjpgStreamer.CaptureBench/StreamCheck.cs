using System.Diagnostics;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// What the stream client saw over the measured cycles, beyond the latencies: the last frame repeated
/// (the server sends it again when it pauses and then about once a second), and anything that should not
/// happen: a repeat whose length or X-Timestamp differs from the original's, a frame number going backwards,
/// a new camera frame after the device was seen closed (or the client had missed the last live frame, and
/// the repeat is the first it sees of it), a part without the fake's comment.
/// </summary>
internal sealed record StreamCheck(
    int Parts,
    int NewFrames,
    int Repeats,
    int CyclesWithoutRepeat,
    int ChangedRepeats,
    int Backwards,
    int NewAfterRelease,
    int WithoutComment)
{
    /// <summary>The latest a new frame came after the device was seen closed, in ms (0 for none): a fraction of a ms is one published just before the close and still on its way.</summary>
    public double NewAfterReleaseMaxMs { get; init; }

    /// <summary>Classifies <paramref name="parts"/> (in arrival order) from the first one that arrived at or after the first cycle's start.</summary>
    public static StreamCheck Of(IReadOnlyList<StreamPart> parts, IReadOnlyList<PauseCycle> cycles)
    {
        if (cycles.Count == 0)
        {
            return new StreamCheck(0, 0, 0, 0, 0, 0, 0, 0);
        }

        var begin = cycles[0].LockCreated;
        long max = -1;
        StreamPart maxPart = default;
        int counted = 0, fresh = 0, repeats = 0, changed = 0, backwards = 0, afterRelease = 0, noComment = 0;
        var cycle = 0;
        var repeatsInCycle = 0;
        var lateMs = 0.0;
        var cyclesWithoutRepeat = 0;
        foreach (var part in parts)
        {
            var measured = part.Arrival >= begin;

            // Parts are in arrival order, so the cycle a part belongs to only moves forward.
            while (measured && cycle + 1 < cycles.Count && part.Arrival >= cycles[cycle + 1].LockCreated)
            {
                cyclesWithoutRepeat += repeatsInCycle == 0 ? 1 : 0;
                repeatsInCycle = 0;
                cycle++;
            }

            var current = cycles[cycle];
            var paused = measured && part.Arrival > current.Released && part.Arrival <= current.LockRemoved;
            if (measured)
            {
                counted++;
                if (part.Frame < 0)
                {
                    noComment++;
                }
                else if (part.Frame > max)
                {
                    fresh++;
                    if (paused)
                    {
                        afterRelease++;
                        lateMs = Math.Max(lateMs, Stopwatch.GetElapsedTime(current.Released, part.Arrival).TotalMilliseconds);
                    }
                }
                else if (part.Frame == max)
                {
                    repeats++;
                    repeatsInCycle++;

                    changed += part.TimestampUs != maxPart.TimestampUs || part.Length != maxPart.Length ? 1 : 0;
                }
                else
                {
                    backwards++;
                }
            }

            if (part.Frame > max)
            {
                max = part.Frame;
                maxPart = part;
            }
        }

        // The cycles after the last part's cycle (and that one) are counted here.
        cyclesWithoutRepeat += (repeatsInCycle == 0 ? 1 : 0) + (cycles.Count - 1 - cycle);
        return new StreamCheck(counted, fresh, repeats, cyclesWithoutRepeat, changed, backwards, afterRelease, noComment) { NewAfterReleaseMaxMs = lateMs };
    }
}
