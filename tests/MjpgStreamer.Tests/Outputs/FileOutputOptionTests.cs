using MjpgStreamer.Outputs;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Outputs;

/// <summary>output_file.so's names, the folder confinement, and its command-line failures (exit codes, one line).</summary>
public sealed class FileOutputOptionTests
{
    [Fact]
    public void Picture_names_are_the_originals_local_time_and_nine_digit_counter()
    {
        var time = new DateTimeOffset(2024, 3, 7, 9, 5, 2, TimeSpan.FromHours(1));
        Assert.Equal("2024_03_07_09_05_02_picture_000000042.jpg", FileOutput.PictureName(time, 42));
        Assert.Matches(FileOutput.PicturePattern(), FileOutput.PictureName(time, 0));
        Assert.DoesNotMatch(FileOutput.PicturePattern(), "2024_03_07_09_05_02_picture_00000042.jpg");
        Assert.DoesNotMatch(FileOutput.PicturePattern(), "last.jpg");
    }

    [Theory]
    [InlineData("shot.jpg", true)]
    [InlineData("my shot 1.jpg", true)]
    [InlineData(".hidden.jpg", true)]
    [InlineData("../x.jpg", false)]
    [InlineData("..", false)]
    [InlineData("a..b", false)]
    [InlineData(".", false)]
    [InlineData("a/b.jpg", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("", false)]
    [InlineData("a\nb", false)]
    public void Only_plain_names_inside_the_folder_are_accepted(string name, bool accepted)
    {
        Assert.Equal(accepted, OutputFolder.Refusal(name) is null);
    }

    [Fact]
    public async Task Help_bad_options_missing_folders_and_an_input_that_does_not_exist_give_the_exit_codes()
    {
        var help = await ProgramRun.RunAsync("-o", "output_file.so --help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("[-m | --mjpeg ]", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("[-e | --exceed ]", help.Stdout, StringComparison.Ordinal);

        var udpHelp = await ProgramRun.RunAsync("-o", "output_udp.so -h");
        Assert.Equal(0, udpHelp.ExitCode);
        Assert.Contains("[-l | --listen ]", udpHelp.Stdout, StringComparison.Ordinal);

        var bad = await Run("output_file.so -x 1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Single(ErrorLines(bad));

        var folder = TestMedia.NewTempFolder();
        var missing = await Run($"output_file.so -f {folder}/nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal([$"mjpg_streamer: output_file.so: folder '{folder}/nope' does not exist"], ErrorLines(missing));

        var input = await Run($"output_file.so -f {folder} -i 1");
        Assert.Equal(1, input.ExitCode);
        Assert.Equal(["mjpg_streamer: output_file.so: -i 1 but there is 1 input (numbered from 0)"], ErrorLines(input));
        Assert.Empty(Directory.GetFileSystemEntries(folder));

        // Root may write anywhere the mode bits say no: /proc takes no new files for anyone.
        var unwritable = await Run("output_file.so -f /proc");
        Assert.Equal(1, unwritable.ExitCode);
        Assert.StartsWith("mjpg_streamer: output_file.so: cannot write into folder '/proc': ", Assert.Single(ErrorLines(unwritable)), StringComparison.Ordinal);
    }

    private static Task<ProgramRun.Result> Run(string output) =>
        ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", output);

    /// <summary>The lines that are not log lines ("HH:MM:SS.mmm level: …").</summary>
    private static string[] ErrorLines(ProgramRun.Result run) =>
        [.. run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("mjpg_streamer: ", StringComparison.Ordinal))];
}
