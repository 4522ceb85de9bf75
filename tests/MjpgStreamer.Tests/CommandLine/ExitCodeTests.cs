using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.CommandLine;

/// <summary>What a user sees at the terminal: help and version, and one clear line for every mistake.</summary>
public sealed class ExitCodeTests
{
    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("--he")]
    public async Task Help_goes_to_stdout_and_exits_0(string arg)
    {
        var run = await ProgramRun.RunAsync(arg);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("-i | --input", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    [Theory]
    [InlineData("-i", "input_file.so --help", "Help for input plugin..: FILE input plugin")]
    [InlineData("-i", "input_testpattern.so -h", "Help for input plugin..: Test pattern input plugin")]
    [InlineData("-o", "output_http.so --help", "Help for output plugin..: HTTP output plugin")]
    [InlineData("-o", "/usr/local/lib/mjpg-streamer/output_http.so -h", "[-c | --credentials ]")]
    public async Task A_plugins_help_goes_to_stdout_and_exits_0(string flag, string spec, string expected)
    {
        var run = await ProgramRun.RunAsync(flag, spec);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(expected, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_exits_0()
    {
        var run = await ProgramRun.RunAsync("-v");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("MJPG Streamer Version: ", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unrecognized option '--bogus'", "--bogus")]
    [InlineData("invalid option -- 'x'", "-x")]
    [InlineData("option '-i' requires an argument", "-i")]
    [InlineData("unknown input plugin 'input_nonexistent.so'", "-i", "input_nonexistent.so")]
    [InlineData("unknown output plugin 'output_nothing.so'", "-o", "output_nothing.so")]
    [InlineData("output_http.so: unknown option '-z'", "-o", "output_http.so -z")]
    [InlineData("output_http.so: -p 'abc' is not a whole number from 0 to 65535", "-o", "output_http.so -p abc")]
    [InlineData("output_http.so: option '-p' needs a value", "-o", "output_http.so -p")]
    [InlineData("output_http.so: -c expects \"username:password\"", "-o", "output_http.so -c nocolon")]
    [InlineData("input_testpattern.so: -r 'big' is not a resolution", "-i", "input_testpattern.so -r big")]
    [InlineData("unexpected argument 'stray'", "stray")]
    [InlineData("unbalanced double quote", "-i", "input_testpattern.so -r \"640x480")]
    public async Task Bad_arguments_exit_2_with_one_line_and_the_hint(string message, params string[] args)
    {
        var run = await ProgramRun.RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains(message, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Try 'mjpg_streamer -h'", lines[1], StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task More_than_ten_inputs_is_a_usage_error()
    {
        var args = Enumerable.Range(0, 11).SelectMany(_ => (string[])["-i", "input_testpattern.so"]).ToArray();
        var run = await ProgramRun.RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("too many input plugins", run.Stderr, StringComparison.Ordinal);
    }
}
