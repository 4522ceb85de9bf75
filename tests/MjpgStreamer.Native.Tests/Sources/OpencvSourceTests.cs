using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.Sources;

namespace MjpgStreamer.Native.Tests.Sources;

/// <summary>input_opencv.so's options and the ffmpeg command they make (the runs are in MjpgStreamer.Tests' OpencvInputTests).</summary>
public sealed class OpencvSourceTests
{
    [Theory]
    [InlineData("default", "/dev/video0", OpencvSourceKind.Device)]
    [InlineData("2", "/dev/video2", OpencvSourceKind.Device)]
    [InlineData("/dev/v4l/by-id/usb-cam", "/dev/v4l/by-id/usb-cam", OpencvSourceKind.Device)]
    [InlineData("rtsp://user:pw@cam:554/stream", "rtsp://user:pw@cam:554/stream", OpencvSourceKind.Rtsp)]
    [InlineData("http://cam/?action=stream", "http://cam/?action=stream", OpencvSourceKind.Url)]
    [InlineData("/srv/video/clip.mp4", "/srv/video/clip.mp4", OpencvSourceKind.File)]
    public void Device_IsClassifiedAsTheOriginalTakesIt(string device, string source, OpencvSourceKind kind) =>
        Assert.Equal((source, kind), OpencvSettings.Classify(device));

    [Theory]
    [InlineData(100, 2)]
    [InlineData(90, 3)]
    [InlineData(80, 6)]
    [InlineData(50, 14)]
    [InlineData(30, 24)]
    [InlineData(1, 31)]
    public void Quality_MapsToFfmpegsQscale(int quality, int qscale) =>
        Assert.Equal(qscale, OpencvSource.QualityToQscale(quality));

    [Fact]
    public void ACamera_IsAskedForTheSizeAndRate_AndEncodedAtQ()
    {
        var arguments = string.Join(' ', OpencvSource.BuildArguments(Settings("-d 1 -r 320x240 -f 10 -q 90")));

        Assert.Equal(
            "-nostdin -hide_banner -loglevel error -f v4l2 -framerate 10 -video_size 320x240 -i /dev/video1 -an -sn -dn -vf scale=320:240 -fps_mode vfr -r 10 -f mjpeg -q:v 3 -",
            arguments);
    }

    [Fact]
    public void ACameraByDefault_Is640x480_AsTheOriginal()
    {
        var arguments = string.Join(' ', OpencvSource.BuildArguments(Settings("")));

        Assert.Equal("-nostdin -hide_banner -loglevel error -f v4l2 -video_size 640x480 -i /dev/video0 -an -sn -dn -f mjpeg -q:v 6 -", arguments);
    }

    [Fact]
    public void ACameraThatOffersMjpeg_IsAskedForIt()
    {
        var arguments = OpencvSource.WithInputFormat(OpencvSource.BuildArguments(Settings("-d 0")), "mjpeg");

        Assert.Equal("-f v4l2 -input_format mjpeg -video_size 640x480 -i /dev/video0", string.Join(' ', arguments.Skip(4).Take(8)));
        Assert.Equal(OpencvSource.BuildArguments(Settings("-d http://cam/")), OpencvSource.WithInputFormat(OpencvSource.BuildArguments(Settings("-d http://cam/")), "mjpeg"));
    }

    [Fact]
    public void AFile_LoopsAtItsOwnSpeed_AndRtspGoesOverTcp()
    {
        Assert.Contains("-re -stream_loop -1 -i /srv/clip.mp4 ", string.Join(' ', OpencvSource.BuildArguments(Settings("-d /srv/clip.mp4"))), StringComparison.Ordinal);
        Assert.Contains("-rtsp_transport tcp -i rtsp://cam/s ", string.Join(' ', OpencvSource.BuildArguments(Settings("-d rtsp://cam/s"))), StringComparison.Ordinal);
    }

    [Fact]
    public void ContrastAndBrightness_AreNotSwappedAsInTheOriginal()
    {
        var arguments = OpencvSource.BuildArguments(Settings("-d http://cam/ -co 150 -br 20 -sa 0")).ToList();

        Assert.Equal("eq=brightness=0.2:contrast=1.5:saturation=0", arguments[arguments.IndexOf("-vf") + 1]);
    }

    [Theory]
    [InlineData("-q 0", "input_opencv.so: -q '0' is not a whole number from 1 to 100")]
    [InlineData("-br 101", "input_opencv.so: -br '101' is not a whole number from -100 to 100")]
    [InlineData("-co -1", "input_opencv.so: -co '-1' is not a whole number from 0 to 200")]
    [InlineData("-f 0", "input_opencv.so: -f '0' is not a whole number from 1 to 120")]
    [InlineData("-filter cvfilter_cpp.so", "input_opencv.so: -filter: OpenCV filter plugins are not supported (this input runs ffmpeg, not OpenCV)")]
    public void BadOptions_AreUsageErrors(string args, string message)
    {
        var error = Assert.Throws<UsageException>(() => Create(args));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Help_SaysFiltersAreNotSupported()
    {
        var help = Assert.Throws<HelpRequestedException>(() => Create("--help"));

        Assert.Contains("OpenCV Input plugin", help.HelpText, StringComparison.Ordinal);
        Assert.Contains("[-filter ] [-fargs ]...: OpenCV filter plugins: not supported", help.HelpText, StringComparison.Ordinal);
    }

    private static ParsedOptions Parse(string args)
    {
        var plugin = OpencvSource.Plugin;
        return PluginOptionParser.Parse(plugin.Name, ArgumentSplitter.SplitWords(args), plugin.Options, plugin.Help);
    }

    private static OpencvSettings Settings(string args) => OpencvSettings.FromOptions(Parse(args));

    private static IFrameSource Create(string args) =>
        OpencvSource.Plugin.Create(Parse(args), new PluginEnvironment(TimeProvider.System, NullLoggerFactory.Instance));
}
