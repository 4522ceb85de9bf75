namespace MjpgStreamer.Soak;

/// <summary>
/// What the scenarios run against and how long or how often. The defaults are the full soak (soak.sh); the tests
/// shorten them. A count-driven scenario (unplugs, restarts, toggles) stops at its count or at its time cap,
/// whichever comes first; a time-driven one (fuzzer, attackers, fan-out) runs for its time.
/// </summary>
public sealed record SoakOptions
{
    /// <summary>The mjpg_streamer executable.</summary>
    public required string Executable { get; init; }

    /// <summary>libfakecam.so (the unplug scenario needs it).</summary>
    public string? FakecamLibrary { get; init; }

    /// <summary>Progress lines (seeds, rounds, counts).</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>The seed of every pseudo-random choice (fuzzer, pause delays); logged so a run can be repeated.</summary>
    public int Seed { get; init; } = Environment.TickCount & int.MaxValue;

    /// <summary>The test pattern the healthy client watches: 30 fps.</summary>
    public string TestPattern { get; init; } = "input_testpattern.so -r 640x480 -f 30";

    /// <summary>The least frame rate a healthy client must keep beside attackers (of the test pattern's 30).</summary>
    public double MinHealthyFps { get; init; } = 24;

    /// <summary>How long a malformed request may go unanswered (and the connection open) after it was sent.</summary>
    public TimeSpan AnswerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>a: how long the random fuzzer runs after the corpus.</summary>
    public TimeSpan FuzzTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>a: fuzzed requests a second at most.</summary>
    public double FuzzRate { get; init; } = 500;

    /// <summary>a, b: requests or attackers in flight at once.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>b: slowloris connections per wave (headers dribbled one byte a second).</summary>
    public int SlowlorisClients { get; init; } = 50;

    /// <summary>b: idle connections per wave (connect, send nothing).</summary>
    public int IdleSockets { get; init; } = 500;

    /// <summary>b: how long waves of attackers keep coming.</summary>
    public TimeSpan AttackTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>b: every attacker must be closed by the server within this time of connecting.</summary>
    public TimeSpan AttackerCloseLimit { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>c: stream clients.</summary>
    public int FanoutClients { get; init; } = 500;

    /// <summary>c: snapshot requests a second beside them.</summary>
    public int SnapshotsPerSecond { get; init; } = 50;

    /// <summary>c: the measured time of one round.</summary>
    public TimeSpan FanoutTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>c: rounds run while this much time is left of the scenario's share (at least one).</summary>
    public TimeSpan FanoutShare { get; init; } = TimeSpan.Zero;

    /// <summary>c: the server's resident memory must stay below this.</summary>
    public long RssLimitMiB { get; init; } = 512;

    /// <summary>d: unplug/replug cycles of the fake camera.</summary>
    public int UnplugCycles { get; init; } = 200;

    /// <summary>d: the fake camera is unplugged after this many frames once plugged.</summary>
    public int UnplugEveryFrames { get; init; } = 15;

    /// <summary>d: time cap.</summary>
    public TimeSpan UnplugCap { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>e: input_exec restarts (summed over the inputs); more while <see cref="ExecCap"/> lasts when <see cref="ExecUseCap"/>.</summary>
    public int ExecRestarts { get; init; } = 200;

    /// <summary>e: input_exec inputs restarting side by side (each backs off 0.5 s, 1 s, 2 s, … 10 s; 10 inputs at most).</summary>
    public int ExecInputs { get; init; } = 10;

    /// <summary>e: time cap.</summary>
    public TimeSpan ExecCap { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>e: keep restarting until the cap even after the count.</summary>
    public bool ExecUseCap { get; init; }

    /// <summary>f: create/remove toggles of the pause file.</summary>
    public int PauseToggles { get; init; } = 10_000;

    /// <summary>f: stream clients that stay connected through the toggles.</summary>
    public int PauseClients { get; init; } = 5;

    /// <summary>f: time cap.</summary>
    public TimeSpan PauseCap { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>g: stream clients when SIGTERM comes.</summary>
    public int TermClients { get; init; } = 200;

    /// <summary>g: the server must exit 0 within this time of SIGTERM.</summary>
    public TimeSpan TermLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>g: how many times (a fresh server each).</summary>
    public int TermRounds { get; init; } = 1;

    public void Note(string line)
    {
        lock (Log)
        {
            Log.WriteLine(line);
            Log.Flush();
        }
    }
}
