namespace MjpgStreamer.LoadClient;

/// <summary>Which part of the run it is; clients count only while <see cref="IsMeasuring"/>.</summary>
internal sealed class RunPhase
{
    private const int Warmup = 0;
    private const int Measuring = 1;
    private const int Done = 2;

    private int _phase;

    public bool IsMeasuring => Volatile.Read(ref _phase) == Measuring;

    public bool IsDone => Volatile.Read(ref _phase) == Done;

    public void BeginMeasuring() => Volatile.Write(ref _phase, Measuring);

    public void End() => Volatile.Write(ref _phase, Done);

    public override string ToString() => Volatile.Read(ref _phase) switch
    {
        Warmup => "warmup",
        Measuring => "measuring",
        _ => "done",
    };
}
