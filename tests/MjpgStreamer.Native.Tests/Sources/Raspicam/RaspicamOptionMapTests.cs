using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Native.Sources.Raspicam;

namespace MjpgStreamer.Native.Tests.Sources.Raspicam;

public sealed class RaspicamOptionMapTests
{
    private static readonly string[] Base = ["--codec", "mjpeg", "-o", "-", "--nopreview", "-t", "0", "--verbose", "0"];
    private static readonly string[] StillBase = ["-o", "-", "--immediate", "--nopreview", "--verbose", "0"];

    [Fact]
    public void TypicalOctoPiLine_BecomesTheseRpicamVidArguments()
    {
        var source = Parse(" -x 1280 -y 720 -fps 15 -quality 80 -rot 180 -hf -br 60 -ex sports -awb cloud -ISO 400 -shutter 10000");

        Assert.Equal(
            [.. Base, "--width", "1280", "--height", "720", "--framerate", "15", "--quality", "80",
             "--brightness", "0.2", "--gain", "4", "--exposure", "sport", "--awb", "cloudy", "--rotation", "180", "--hflip", "--shutter", "10000"],
            source.VideoArguments);
        Assert.Equal(
            [.. StillBase, "--brightness", "0.2", "--gain", "4", "--exposure", "sport", "--awb", "cloudy", "--rotation", "180", "--hflip", "--shutter", "10000"],
            source.StillArguments);
        Assert.Empty(source.Warnings);
        Assert.Equal("raspicam input plugin", source.DisplayName);
    }

    [Fact]
    public void NoOptions_TheOriginalsDefaults()
    {
        var source = Parse("");

        Assert.Equal([.. Base, "--width", "640", "--height", "480", "--framerate", "5", "--quality", "85"], source.VideoArguments);
        Assert.Equal(StillBase, source.StillArguments);
    }

    [Fact]
    public void StillOptions_GoOnlyToRpicamStill_TheExtraWordsLast()
    {
        var source = Parse(" -still 2592x1944 -still_args \"-q 95 --denoise off\" -camera 1 -awb off -awbgainR 1.4 -awbgainB 1.5 -mm spot");

        Assert.Equal(
            [.. StillBase, "--camera", "1", "--width", "2592", "--height", "1944", "--awbgains", "1.4,1.5", "--metering", "spot", "-q", "95", "--denoise", "off"],
            source.StillArguments);
        Assert.Equal(
            [.. Base, "--width", "640", "--height", "480", "--framerate", "5", "--quality", "85", "--camera", "1", "--awbgains", "1.4,1.5", "--metering", "spot"],
            source.VideoArguments);
        Assert.Empty(source.Warnings);
    }

    [Theory]
    [InlineData("-br 0", "--brightness -1")]
    [InlineData("-br 50", "--brightness 0")]
    [InlineData("-br 75", "--brightness 0.5")]
    [InlineData("-co 50", "--contrast 1.5")]
    [InlineData("-co -100", "--contrast 0")]
    [InlineData("-sa -100", "--saturation 0")]
    [InlineData("-sh 20", "--sharpness 1.2")]
    [InlineData("-ISO 100", "--gain 1")]
    [InlineData("-ISO 0", "")]
    [InlineData("-ev 3", "--ev 0.5")]
    [InlineData("-ev -2", "--ev -0.333")]
    [InlineData("-ex auto", "--exposure normal")]
    [InlineData("-ex night", "--exposure long")]
    [InlineData("-ex verylong", "--exposure long")]
    [InlineData("-awb sun", "--awb daylight")]
    [InlineData("-awb tungsten", "--awb tungsten")]
    [InlineData("-awb shade", "--awb cloudy")]
    [InlineData("-mm average", "--metering average")]
    [InlineData("-mm backlit", "--metering matrix")]
    [InlineData("-mm matrix", "--metering matrix")]
    [InlineData("-rot 0", "")]
    [InlineData("-rot -180", "--rotation 180")]
    [InlineData("-vf", "--vflip")]
    [InlineData("-roi 0.25,0.25,0.5,0.5", "--roi 0.25,0.25,0.5,0.5")]
    [InlineData("-ifx denoise", "--denoise cdn_hq")]
    [InlineData("-ifx none", "")]
    [InlineData("-cfx 128:128", "--saturation 0")]
    [InlineData("-drc off", "")]
    [InlineData("-timestamp", "")]
    [InlineData("--framerate 30", "")]
    public void Conversions(string option, string words)
    {
        var source = Parse(" " + option);

        var mapped = source.StillArguments.Skip(StillBase.Length).ToArray();
        Assert.Equal(words.Split(' ', StringSplitOptions.RemoveEmptyEntries), mapped);
        Assert.Empty(source.Warnings);
    }

    [Theory]
    [InlineData("-drc high", "-drc high: rpicam has no dynamic range compression")]
    [InlineData("-vs", "-vs: rpicam has no video stabilisation")]
    [InlineData("-rot 90", "-rot 90: rpicam can rotate only by 0 or 180 degrees")]
    [InlineData("-ifx cartoon", "-ifx cartoon: rpicam has no image effects")]
    [InlineData("-cfx 100:200", "-cfx 100:200: rpicam has no colour effects")]
    [InlineData("-ex fireworks", "-ex fireworks: rpicam has no such exposure mode")]
    [InlineData("-ex off", "-ex off: rpicam has no exposure-off mode")]
    [InlineData("-awb off", "-awb off needs -awbgainR and -awbgainB")]
    [InlineData("-awbgainR 1.5", "-awbgainR is used only with -awb off")]
    [InlineData("-usestills", "-usestills: frames come from rpicam-vid")]
    [InlineData("-preview", "-preview: rpicam runs without a preview window")]
    [InlineData("-stats", "-stats: no per-frame statistics")]
    public void OptionsWithoutAnEquivalent_AreAcceptedWithAWarning_AndPassNothing(string option, string warning)
    {
        var source = Parse(" " + option);

        var warned = Assert.Single(source.Warnings);
        Assert.StartsWith(warning, warned, StringComparison.Ordinal);
        Assert.Equal([.. Base, "--width", "640", "--height", "480", "--framerate", "5", "--quality", "85"], source.VideoArguments);
    }

    [Theory]
    [InlineData("-ex bogus", "input_raspicam.so: -ex 'bogus' is not one of off, auto,")]
    [InlineData("-awb purple", "input_raspicam.so: -awb 'purple' is not one of")]
    [InlineData("-mm centre", "input_raspicam.so: -mm 'centre' is not one of average, spot, backlit, matrix")]
    [InlineData("-drc extreme", "input_raspicam.so: -drc 'extreme' is not one of off, low, med, high")]
    [InlineData("-ifx sparkle", "input_raspicam.so: -ifx 'sparkle' is not one of")]
    [InlineData("-br 101", "input_raspicam.so: -br '101' is not a whole number from 0 to 100")]
    [InlineData("-br abc", "input_raspicam.so: -br 'abc' is not a whole number")]
    [InlineData("-co 1.5", "input_raspicam.so: -co '1.5' is not a whole number")]
    [InlineData("-x wide", "input_raspicam.so: -x 'wide' is not a whole number")]
    [InlineData("-fps 0", "input_raspicam.so: -fps '0' is not a whole number from 1 to 120")]
    [InlineData("-quality 101", "input_raspicam.so: -quality '101' is not a whole number from 1 to 100")]
    [InlineData("-rot 45", "input_raspicam.so: -rot '45' is not 0, 90, 180 or 270")]
    [InlineData("-roi 0.1,0.1", "input_raspicam.so: -roi '0.1,0.1' is not x,y,w,h")]
    [InlineData("-roi 0,0,2,1", "input_raspicam.so: -roi '0,0,2,1' is not x,y,w,h")]
    [InlineData("-cfx 300:1", "input_raspicam.so: -cfx '300:1' is not U:V")]
    [InlineData("-awb off -awbgainR red -awbgainB 1", "input_raspicam.so: -awbgainR 'red' is not a number")]
    [InlineData("-shutter -5", "input_raspicam.so: -shutter '-5' is not a whole number from 0")]
    [InlineData("-still huge", "input_raspicam.so: -still")]
    [InlineData("-camera x", "input_raspicam.so: -camera 'x' is not a whole number")]
    public void BadValues_AreUsageErrorsNamingTheOption(string option, string message)
    {
        var error = Assert.Throws<UsageException>(() => Parse(" " + option));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Help_ListsEveryOption()
    {
        var help = Assert.Throws<HelpRequestedException>(() => Parse(" --help")).HelpText;

        Assert.Contains("Help for input plugin..: raspicam input plugin", help, StringComparison.Ordinal);
        foreach (var option in new[] { "[-fps | --framerate ]", "[-x | --width ]", "[-quality ]", "[-usestills ]", "[-awbgainB ]", "[-roi ]", "[-still ]", "[-still_args ]", "[-camera ]" })
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Plugin_IsInTheTableUnderItsName()
    {
        Assert.Equal("input_raspicam.so", RaspicamSource.Plugin.Name);
        Assert.Equal("raspicam input plugin", RaspicamSource.Plugin.DisplayName);
    }

    internal static RaspicamSource Parse(string args)
    {
        var plugin = RaspicamSource.Plugin;
        var options = PluginOptionParser.Parse(plugin.Name, ArgumentSplitter.SplitWords(args), plugin.Options, plugin.Help);
        return (RaspicamSource)plugin.Create(options, new PluginEnvironment(TimeProvider.System, NullLoggerFactory.Instance));
    }
}
