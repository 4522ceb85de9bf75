using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>width= and quality= on a stream or snapshot URL, and output_http's -stream_size, -scale, -stream_quality.</summary>
public sealed class ShapeQueryTests
{
    [Theory]
    [InlineData("/?action=stream", null, null)]
    [InlineData("/stream", null, null)]
    [InlineData("/?action=stream&width=480", 480, null)]
    [InlineData("/?action=snapshot_1&quality=60&t=123", null, 60)]
    [InlineData("/stream?input=1&width=640&quality=100", 640, 100)]
    [InlineData("/?width=1&quality=1&action=stream", 1, 1)]
    [InlineData("/?action=stream&fps=5&widthx=abc", null, null)]
    public void ValidParameters_AreRead_OthersIgnored(string target, int? width, int? quality)
    {
        Assert.True(ShapeQuery.TryParse(target, out var query, out var error));
        Assert.Null(error);
        Assert.Equal(new ShapeQuery(width, quality), query);
    }

    [Theory]
    [InlineData("/?action=stream&width=abc", "width 'abc' is not a whole number from 1 to 16384")]
    [InlineData("/?action=stream&width=", "width '' is not a whole number from 1 to 16384")]
    [InlineData("/?action=stream&width=0", "width '0' is not a whole number from 1 to 16384")]
    [InlineData("/?action=stream&width=-5", "width '-5' is not a whole number from 1 to 16384")]
    [InlineData("/?action=stream&width=16385", "width '16385' is not a whole number from 1 to 16384")]
    [InlineData("/?action=stream&width=4e2", "width '4e2' is not a whole number from 1 to 16384")]
    [InlineData("/?action=stream&quality=0", "quality '0' is not a whole number from 1 to 100")]
    [InlineData("/?action=stream&quality=101", "quality '101' is not a whole number from 1 to 100")]
    [InlineData("/?action=snapshot&quality=high", "quality 'high' is not a whole number from 1 to 100")]
    [InlineData("/?action=snapshot&quality=+50", "quality '+50' is not a whole number from 1 to 100")]
    public void BadParameters_AreRefused_WithTheReason(string target, string reason)
    {
        Assert.False(ShapeQuery.TryParse(target, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void ALongBadValue_IsCutInTheReason()
    {
        Assert.False(ShapeQuery.TryParse("/?action=stream&width=" + new string('9', 200), out _, out var error));
        Assert.Equal($"width '{new string('9', 20)}' is not a whole number from 1 to 16384", error);
    }

    [Fact]
    public void NothingAsked_IsTheInputsFrames()
    {
        Assert.Null(new ShapeQuery(null, null).Resolve(null, null, 1920, 1080));
        Assert.Null(new ShapeQuery(null, null).Resolve(null, null, 0, 0));
    }

    [Fact]
    public void AWidth_GetsTheDefaultQuality_AndTheNearestScaleNotSmaller()
    {
        var key = new ShapeQuery(480, null).Resolve(null, null, 1920, 1080);
        Assert.Equal(ShapeKey.ForWidth(480, ShapeQuery.DefaultQuality), key);
        Assert.Equal(4, key!.Value.PlanFor(1920, 1080).Denominator);
        Assert.Equal(ShapeKey.ForWidth(480, 55), new ShapeQuery(480, null).Resolve(null, 55, 1920, 1080));
        Assert.Equal(ShapeKey.ForWidth(480, 30), new ShapeQuery(480, 30).Resolve(null, 55, 1920, 1080));
    }

    [Fact]
    public void AWidthNotSmallerThanTheSource_WithoutQuality_IsTheInputsFramesUnchanged()
    {
        Assert.Null(new ShapeQuery(1920, null).Resolve(null, null, 1920, 1080));
        Assert.Null(new ShapeQuery(4000, null).Resolve(null, null, 1920, 1080));
        // 1000 wide from 1920: no DCT scale gives it, so it is a shape (decoded at 1/1, resized to 1000x563).
        Assert.Equal(ShapeKey.ForWidth(1000, 80), new ShapeQuery(1000, null).Resolve(null, null, 1920, 1080));
        // The source's size not known yet (no frame): the shape, which then re-encodes at full size.
        Assert.Equal(ShapeKey.ForWidth(1920, 80), new ShapeQuery(1920, null).Resolve(null, null, 0, 0));
        // With a quality it is re-encoded at full size.
        Assert.Equal(ShapeKey.ForWidth(4000, 50), new ShapeQuery(4000, 50).Resolve(null, null, 1920, 1080));
    }

    [Fact]
    public void AQualityAlone_ReencodesAtFullSize()
        => Assert.Equal(ShapeKey.ForScale(1, 40), new ShapeQuery(null, 40).Resolve(null, null, 1920, 1080));

    [Fact]
    public void TheOutputsDefaults_ApplyUnlessTheUrlAsks()
    {
        var quarter = ShapeKey.ForScale(4, ShapeQuery.DefaultQuality);
        Assert.Equal(ShapeKey.ForScale(4, 80), new ShapeQuery(null, null).Resolve(quarter, null, 1920, 1080));
        Assert.Equal(ShapeKey.ForScale(4, 60), new ShapeQuery(null, null).Resolve(quarter, 60, 1920, 1080));
        Assert.Equal(ShapeKey.ForScale(4, 20), new ShapeQuery(null, 20).Resolve(quarter, 60, 1920, 1080));
        Assert.Equal(ShapeKey.ForWidth(960, 60), new ShapeQuery(960, null).Resolve(quarter, 60, 1920, 1080));
        Assert.Equal(ShapeKey.ForSize(640, 360, 80), new ShapeQuery(null, null).Resolve(ShapeKey.ForSize(640, 360, 80), null, 1920, 1080));
        Assert.Equal(ShapeKey.ForScale(1, 60), new ShapeQuery(null, null).Resolve(null, 60, 1920, 1080));
        // -stream_size larger than the capture, no quality: the frames as captured.
        Assert.Null(new ShapeQuery(null, null).Resolve(ShapeKey.ForSize(1920, 1080, 80), null, 1280, 720));
    }

    [Theory]
    [InlineData("-stream_size 640x360", 640, 360, 0, null)]
    [InlineData("-scale 1/4", 0, 0, 4, null)]
    [InlineData("-scale 1/8 -stream_quality 50", 0, 0, 8, 50)]
    [InlineData("-stream_quality 95", null, null, null, 95)]
    public void TheOutputOptions_AreRead(string args, int? width, int? height, int? denominator, int? quality)
    {
        var options = HttpOutputOptions.From(Parse(args));
        Assert.Equal(quality, options.StreamQuality);
        if (width is null)
        {
            Assert.Null(options.StreamSize);
            return;
        }

        var size = options.StreamSize!.Value;
        Assert.Equal((width, height, denominator), (size.Width, size.Height, size.ScaleDenominator));
    }

    [Theory]
    [InlineData("-stream_size 640", "-stream_size '640' is not WxH (such as 640x360)")]
    [InlineData("-stream_size 0x360", "-stream_size '0x360' is not WxH (such as 640x360)")]
    [InlineData("-scale 1/3", "-scale '1/3' is not 1/2, 1/4 or 1/8")]
    [InlineData("-stream_quality 0", "-stream_quality '0' is not a whole number from 1 to 100")]
    [InlineData("-stream_quality 101", "-stream_quality '101' is not a whole number from 1 to 100")]
    [InlineData("-scale 1/2 -stream_size 640x360", "-stream_size and -scale both set the stream's size; give one")]
    public void BadOutputOptions_AreUsageErrors(string args, string message)
    {
        var error = Assert.Throws<UsageException>(() => HttpOutputOptions.From(Parse(args)));
        Assert.Equal("output_http.so: " + message, error.Message);
    }

    private static ParsedOptions Parse(string args) =>
        PluginOptionParser.Parse("output_http.so", args.Split(' ', StringSplitOptions.RemoveEmptyEntries), HttpOutputOptions.Specs, "help");
}
