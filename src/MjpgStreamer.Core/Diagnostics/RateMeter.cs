namespace MjpgStreamer.Core.Diagnostics;

/// <summary>Events per second over the last two seconds, from a fixed ring of timestamps (no allocation per mark).</summary>
public sealed class RateMeter
{
    private const int Capacity = 256;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private readonly long[] _marks = new long[Capacity];
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;

    public RateMeter(TimeProvider time)
    {
        _time = time;
    }

    public void Mark()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            _marks[_next] = now;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    public double PerSecond()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var inWindow = 0;
            long oldest = now;
            for (var i = 1; i <= _count; i++)
            {
                var mark = _marks[(_next - i + Capacity) % Capacity];
                if (_time.GetElapsedTime(mark, now) > Window)
                {
                    break;
                }

                inWindow++;
                oldest = mark;
            }

            if (inWindow == 0)
            {
                return 0;
            }

            // A full ring inside the window: the rate is what the ring spans.
            var span = inWindow == Capacity ? _time.GetElapsedTime(oldest, now) : Window;
            return span <= TimeSpan.Zero ? 0 : inWindow / span.TotalSeconds;
        }
    }
}
