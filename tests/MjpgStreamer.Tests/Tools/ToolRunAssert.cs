using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Tools;

/// <summary>What Octolapse checks of a helper verb's run: exit 0 with nothing printed, or exit 1 with one stderr line.</summary>
internal static class ToolRunAssert
{
    public static void SilentSuccess(ProgramRun.Result run)
    {
        Assert.Equal("", run.Stderr);
        Assert.Equal("", run.Stdout);
        Assert.Equal(0, run.ExitCode);
    }

    public static string OneLineFailure(ProgramRun.Result run, string verb)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.EndsWith("\n", run.Stderr, StringComparison.Ordinal);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"mjpg_streamer {verb}: ", line, StringComparison.Ordinal);
        return line;
    }

    public static void UsageError(ProgramRun.Result run, string verb, string message)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"mjpg_streamer {verb}: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(message, lines[0], StringComparison.Ordinal);
        Assert.Equal($"Try 'mjpg_streamer {verb} --help' for more information.", lines[1]);
    }
}
