using MjpgStreamer.Core.Options;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.Sources.Uvc;

namespace MjpgStreamer.Native.Tests.Sources.Uvc;

public sealed class UvcOptionsTests
{
    private static UvcOptions Parse(string args, List<string>? warnings = null) =>
        UvcOptions.Parse(
            PluginOptionParser.Parse("input_uvc.so", ArgumentSplitter.SplitWords(args), UvcOptions.Specs, UvcOptions.Help),
            w => warnings?.Add(w));

    [Fact]
    public void Defaults_AreTheOriginals()
    {
        var options = Parse("");

        Assert.Equal("/dev/video0", options.Device);
        Assert.Equal((640, 480), (options.Width, options.Height));
        Assert.Equal(0, options.Fps);
        Assert.Null(options.Raw);
        Assert.Equal(80, options.Quality);
        Assert.Equal(5, options.TimeoutSeconds);
        Assert.Equal(1, options.EveryFrame);
        Assert.Empty(options.Settings);
    }

    [Fact]
    public void OctoPiStyleCommandLine_IsUnderstood()
    {
        var options = Parse("-d /dev/v4l/by-id/usb-Cam-video-index0 -r 1280x720 -f 15 -y -q 70 -m 2000 -e 2 -timeout 3 -softfps 10 -n -l auto -t ntsc");

        Assert.Equal("/dev/v4l/by-id/usb-Cam-video-index0", options.Device);
        Assert.Equal((1280, 720, 15), (options.Width, options.Height, options.Fps));
        Assert.Equal(RawPixelLayout.Yuyv, options.Raw);
        Assert.Equal((70, 2000, 2, 3, 10), (options.Quality, options.MinimumSize, options.EveryFrame, options.TimeoutSeconds, options.SoftFps));
        Assert.Equal(0xB000UL, options.TvNorm);
    }

    [Theory]
    [InlineData("-u", RawPixelLayout.Uyvy)]
    [InlineData("-fourcc RGB24", RawPixelLayout.Rgb24)]
    [InlineData("-fourcc RGBP", RawPixelLayout.Rgb565)]
    [InlineData("--yuv", RawPixelLayout.Yuyv)]
    public void RawFormats(string args, RawPixelLayout expected)
    {
        Assert.Equal(expected, Parse(args).Raw);
    }

    [Fact]
    public void UnknownFourcc_IsAWarningAndIgnored()
    {
        var warnings = new List<string>();
        Assert.Null(Parse("-fourcc H264", warnings).Raw);
        Assert.Contains(warnings, w => w.Contains("H264", StringComparison.Ordinal));
    }

    [Fact]
    public void TimeoutBelowOne_IsOne()
    {
        Assert.Equal(1, Parse("-timeout 0").TimeoutSeconds);
    }

    [Theory]
    [InlineData("-q abc")]
    [InlineData("-q 101")]
    [InlineData("-f x")]
    [InlineData("-hf maybe")]
    [InlineData("-pl 55hz")]
    [InlineData("-br bright")]
    [InlineData("-ex sometimes")]
    [InlineData("-l disco")]
    [InlineData("-r 12")]
    [InlineData("-e 0")]
    [InlineData("-bogus")]
    public void BadValues_AreUsageErrorsNamingTheOption(string args)
    {
        var error = Assert.Throws<UsageException>(() => Parse(args));
        Assert.StartsWith("input_uvc.so: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CameraSettings_WriteTheIntendedControls_ModeBeforeValue()
    {
        var settings = Parse("-br 10 -co 20 -sh 3 -sa 40 -bk 1 -rot 90 -wb 4000 -ex 300 -hf true -vf FALSE -pl 60hz -gain auto -cagc 5 -cb auto").Settings
            .Select(s => (s.Id, s.Value)).ToList();

        Assert.Equal(
            [
                (ControlIds.AutoBrightness, 0), (ControlIds.Brightness, 10),
                (ControlIds.Contrast, 20), (ControlIds.Sharpness, 3), (ControlIds.Saturation, 40),
                (ControlIds.BacklightCompensation, 1), (ControlIds.Rotate, 90),
                (ControlIds.AutoWhiteBalance, 0), (ControlIds.WhiteBalanceTemperature, 4000),
                (ControlIds.ExposureAuto, ControlIds.ExposureModeManual), (ControlIds.ExposureAbsolute, 300),
                (ControlIds.HorizontalFlip, 1), (ControlIds.VerticalFlip, 0),
                (ControlIds.PowerLineFrequency, 2),
                (ControlIds.AutoGain, 1),
                (ControlIds.ChromaAgc, 0), (ControlIds.ChromaGain, 5),
                (ControlIds.HueAuto, 1),
            ],
            settings);
    }

    [Theory]
    [InlineData("auto", ControlIds.ExposureModeAuto, ControlIds.ExposureModeAperturePriority)]
    [InlineData("shutter-priority", ControlIds.ExposureModeShutterPriority, null)]
    [InlineData("aperature-priority", ControlIds.ExposureModeAperturePriority, null)]
    public void ExposureModes(string mode, int value, int? fallback)
    {
        var setting = Assert.Single(Parse("-ex " + mode).Settings);
        Assert.Equal((ControlIds.ExposureAuto, value, fallback), (setting.Id, setting.Value, setting.Fallback));
    }

    [Theory]
    [InlineData("disabled", 0)]
    [InlineData("50hz", 1)]
    [InlineData("AUTO", 3)]
    public void PowerLine_WritesThePowerLineControl(string value, int expected)
    {
        var setting = Assert.Single(Parse("-pl " + value).Settings);
        Assert.Equal((ControlIds.PowerLineFrequency, expected), (setting.Id, setting.Value));
    }

    [Fact]
    public void ControlMemory_ReplaysTheLatestWriteOfEachControl_InTheOrderLastSet()
    {
        var memory = new ControlMemory(Parse("-ex 300 -br 5").Settings);
        memory.Remember(new CameraSetting("command", ControlIds.ExposureAuto, ControlIds.ExposureModeAperturePriority));
        memory.Remember(new CameraSetting("command", ControlIds.Brightness, 7));

        Assert.Equal(
            [(ControlIds.AutoBrightness, 0), (ControlIds.ExposureAbsolute, 300), (ControlIds.ExposureAuto, 3), (ControlIds.Brightness, 7)],
            memory.Snapshot().Select(s => (s.Id, s.Value)).ToList());
    }
}
