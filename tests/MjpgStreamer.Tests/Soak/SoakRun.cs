using MjpgStreamer.Soak;
using MjpgStreamer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MjpgStreamer.Tests.Soak;

/// <summary>Short settings for the soak's scenarios in the test suite, and the assertion on their result.</summary>
internal static class SoakRun
{
    /// <summary>Each soak test is bounded to this, server start and stop included.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The soak's options, shortened. The healthy client must keep a third of the test pattern's 30 fps (the soak
    /// asks for 24): a stalled stream shows, a test machine busy with other work does not fail it.
    /// </summary>
    public static SoakOptions Options(ITestOutputHelper output) => new()
    {
        Executable = ServerProcess.ExecutablePath,
        Log = new OutputWriter(output),
        MinHealthyFps = 10,
        FuzzTime = TimeSpan.FromSeconds(5),
        FuzzRate = 200,
        SlowlorisClients = 10,
        IdleSockets = 100,
        AttackTime = TimeSpan.Zero,
        FanoutClients = 100,
        SnapshotsPerSecond = 20,
        FanoutTime = TimeSpan.FromSeconds(10),
        UnplugCycles = 10,
        UnplugCap = TimeSpan.FromSeconds(20),
        ExecRestarts = 30,
        ExecCap = TimeSpan.FromSeconds(20),
        PauseToggles = 500,
        PauseCap = TimeSpan.FromSeconds(15),
        TermClients = 200,
    };

    public static async Task AssertPassesAsync(Func<CancellationToken, Task<ScenarioResult>> scenario, ITestOutputHelper output)
    {
        using var bound = new CancellationTokenSource(Bound);
        var result = await scenario(bound.Token);
        output.WriteLine(ScenarioResult.TableHead);
        output.WriteLine(result.TableRow());
        Assert.True(result.Passed, result.Describe() + result.TableRow());
    }

    /// <summary>The scenario's progress lines in the test's output.</summary>
    private sealed class OutputWriter(ITestOutputHelper output) : StringWriter
    {
        public override void WriteLine(string? value) => output.WriteLine(value ?? "");
    }
}
