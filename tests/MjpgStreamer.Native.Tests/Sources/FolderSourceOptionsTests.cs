using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Tests.TestSupport;

namespace MjpgStreamer.Native.Tests.Sources;

public sealed class FolderSourceOptionsTests
{
    private static readonly PluginEnvironment Environment = new(TimeProvider.System, NullLoggerFactory.Instance);

    private static FolderSource Create(params string[] words)
    {
        var plugin = FolderSource.Plugin;
        var parsed = PluginOptionParser.Parse(plugin.Name, words, plugin.Options, plugin.Help);
        return Assert.IsType<FolderSource>(plugin.Create(parsed, Environment));
    }

    [Fact]
    public void Plugin_IsNamedLikeTheOriginal()
    {
        Assert.Equal("input_file.so", FolderSource.Plugin.Name);
        Assert.Equal("FILE input plugin", FolderSource.Plugin.DisplayName);
    }

    [Fact]
    public void Help_MatchesTheOriginalText()
    {
        // From `mjpg_streamer -i 'input_file.so --help'` (transcript 00).
        const string expected =
            " ---------------------------------------------------------------\n" +
            " Help for input plugin..: FILE input plugin\n" +
            " ---------------------------------------------------------------\n" +
            " The following parameters can be passed to this plugin:\n" +
            "\n" +
            " [-d | --delay ]........: delay (in seconds) to pause between frames\n" +
            " [-f | --folder ].......: folder to watch for new JPEG files\n" +
            " [-r | --remove ].......: remove/delete JPEG file after reading\n" +
            " [-n | --name ].........: ignore changes unless filename matches\n" +
            " [-e | --existing ].....: serve the existing *.jpg files from the specified directory\n" +
            " ---------------------------------------------------------------\n";

        var help = Assert.Throws<HelpRequestedException>(() => Create("--help"));
        Assert.Equal(expected, help.HelpText);
        Assert.Equal(expected, Assert.Throws<HelpRequestedException>(() => Create("-f", "/tmp", "-h")).HelpText);
    }

    [Fact]
    public void AllOptions_AreParsed()
    {
        using var folder = new TempFolder();

        var source = Create("-f", folder.Path, "-d", "0.25", "-r", "-n", "snap.jpg", "-e");

        Assert.Equal(folder.Path, source.Folder);
        Assert.Equal(TimeSpan.FromSeconds(0.25), source.Delay);
        Assert.True(source.Remove);
        Assert.Equal("snap.jpg", source.FileName);
        Assert.True(source.Existing);
        Assert.Equal("FILE input plugin", source.DisplayName);
    }

    [Fact]
    public void Defaults_AreOneSecondWatchModeNoFilterNoRemove()
    {
        using var folder = new TempFolder();

        var source = Create("--folder=" + folder.Path + "/");

        Assert.Equal(folder.Path, source.Folder);
        Assert.Equal(TimeSpan.FromSeconds(1), source.Delay);
        Assert.False(source.Remove);
        Assert.Null(source.FileName);
        Assert.False(source.Existing);
    }

    [Fact]
    public void RelativeFolder_IsMadeAbsoluteAtCreation()
    {
        using var folder = new TempFolder();
        var relative = Path.GetRelativePath(System.Environment.CurrentDirectory, folder.Path);
        Assert.False(Path.IsPathRooted(relative));

        var source = Create("-f", relative);

        Assert.Equal(folder.Path, source.Folder);
    }

    [Fact]
    public void MissingFolderOption_IsAUsageError()
    {
        var error = Assert.Throws<UsageException>(() => Create("-d", "1"));
        Assert.Equal("input_file.so: a folder is required (-f)", error.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1e9")]
    [InlineData("")]
    public void BadDelay_IsAUsageError(string delay)
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<UsageException>(() => Create("-f", folder.Path, "-d", delay));
        Assert.StartsWith("input_file.so: -d", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroDelay_IsAllowed()
    {
        using var folder = new TempFolder();
        Assert.Equal(TimeSpan.Zero, Create("-f", folder.Path, "-d", "0").Delay);
    }

    [Fact]
    public void NameWithAPath_IsAUsageError()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<UsageException>(() => Create("-f", folder.Path, "-n", "sub/snap.jpg"));
        Assert.Contains("sub/snap.jpg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOption_IsAUsageError()
    {
        Assert.Throws<UsageException>(() => Create("-f", "/tmp", "-x"));
    }

    [Fact]
    public void MissingFolder_FailsTheStart()
    {
        using var folder = new TempFolder();
        var missing = Path.Join(folder.Path, "nope");

        var error = Assert.Throws<StartupException>(() => Create("-f", missing));

        Assert.Equal($"input_file.so: folder '{missing}' does not exist", error.Message);
    }

    [Fact]
    public void FileInsteadOfFolder_FailsTheStart()
    {
        using var folder = new TempFolder();
        var file = folder.File("a.jpg");
        File.WriteAllBytes(file, TestJpegs.Frames[0]);

        var error = Assert.Throws<StartupException>(() => Create("-f", file));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }
}
