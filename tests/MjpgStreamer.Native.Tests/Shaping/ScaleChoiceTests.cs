using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Tests.Shaping;

/// <summary>The scale factor a wanted size gets: the nearest of 1/1, 1/2, 1/4, 1/8 whose result is not smaller than asked.</summary>
public sealed class ScaleChoiceTests
{
    [Theory]
    [InlineData(1920, 480, 4)]
    [InlineData(1920, 500, 2)]
    [InlineData(1920, 481, 2)]
    [InlineData(1920, 960, 2)]
    [InlineData(1920, 961, 1)]
    [InlineData(1920, 1920, 1)]
    [InlineData(1920, 4000, 1)]
    [InlineData(1920, 240, 8)]
    [InlineData(1920, 1, 8)]
    [InlineData(1281, 161, 8)]
    [InlineData(640, 320, 2)]
    public void ForSize_OfAWidth_IsTheSmallestResultNotNarrowerThanAsked(int sourceWidth, int width, int denominator)
    {
        Assert.Equal(denominator, ScaleChoice.ForSize(sourceWidth, 0, width, 0));
        Assert.True(ScaleChoice.Scaled(sourceWidth, denominator) >= Math.Min(width, sourceWidth));
    }

    [Theory]
    [InlineData(1920, 1080, 480, 270, 4)]
    [InlineData(1920, 1080, 480, 271, 2)]
    [InlineData(1920, 1080, 640, 480, 2)]
    [InlineData(1920, 1080, 0, 135, 8)]
    [InlineData(1920, 1080, 0, 136, 4)]
    [InlineData(1920, 1080, 1920, 1080, 1)]
    public void ForSize_NeedsBothDimensions(int sourceWidth, int sourceHeight, int width, int height, int denominator)
    {
        Assert.Equal(denominator, ScaleChoice.ForSize(sourceWidth, sourceHeight, width, height));
    }

    [Theory]
    [InlineData(1920, 1080, 480, 0, 4, 480, 270)]     // a DCT scale gives it: no resize
    [InlineData(1920, 1080, 640, 0, 2, 640, 360)]     // decoded at 1/2 (960x540), resized to exactly 640 wide
    [InlineData(1920, 1080, 500, 0, 2, 500, 281)]
    [InlineData(1920, 1080, 1000, 0, 1, 1000, 563)]
    [InlineData(1920, 1080, 240, 0, 8, 240, 135)]
    [InlineData(1920, 1080, 100, 0, 8, 100, 56)]      // below 1/8: the 1/8 decode resized further
    [InlineData(1920, 1080, 1920, 0, 1, 1920, 1080)]
    [InlineData(1920, 1080, 4000, 0, 1, 1920, 1080)]  // never upscaled
    [InlineData(1920, 1080, 640, 480, 2, 640, 360)]   // a box: the source's proportion inside it
    [InlineData(1920, 1080, 0, 360, 2, 640, 360)]
    [InlineData(1920, 1080, 480, 271, 4, 480, 270)]   // 1/4 fits the box and is not smaller than the fit
    [InlineData(640, 480, 320, 0, 2, 320, 240)]
    [InlineData(1280, 720, 640, 0, 2, 640, 360)]
    [InlineData(1281, 721, 641, 0, 2, 641, 361)]      // TurboJPEG rounds up: 1/2 of 1281 is 641
    public void Plan_GivesTheExactSize_DecodedAtTheNearestScaleNotSmaller(int sourceWidth, int sourceHeight, int width, int height, int denominator, int planWidth, int planHeight)
    {
        var plan = ScaleChoice.Plan(sourceWidth, sourceHeight, width, height);

        Assert.Equal((denominator, planWidth, planHeight), (plan.Denominator, plan.Width, plan.Height));
        Assert.Equal((ScaleChoice.Scaled(sourceWidth, denominator), ScaleChoice.Scaled(sourceHeight, denominator)), (plan.DecodedWidth, plan.DecodedHeight));
        Assert.True(plan.DecodedWidth >= plan.Width && plan.DecodedHeight >= plan.Height);
        Assert.Equal((plan.DecodedWidth, plan.DecodedHeight) != (plan.Width, plan.Height), plan.Resizes);
    }

    [Fact]
    public void PlanScale_IsTheFactorAlone()
    {
        Assert.Equal(new ScalePlan(4, 480, 270, 480, 270), ShapeKey.ForScale(4, 70).PlanFor(1920, 1080));
        Assert.Equal(new ScalePlan(2, 960, 540, 640, 360), ShapeKey.ForWidth(640, 70).PlanFor(1920, 1080));
    }

    [Theory]
    [InlineData(1080, 1, 1080)]
    [InlineData(1080, 4, 270)]
    [InlineData(1080, 8, 135)]
    [InlineData(1081, 2, 541)]
    [InlineData(1, 8, 1)]
    public void Scaled_RoundsUpAsTurboJpeg(int size, int denominator, int scaled)
    {
        Assert.Equal(scaled, ScaleChoice.Scaled(size, denominator));
    }

    [Fact]
    public void Scaled_RejectsOtherDenominators()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScaleChoice.Scaled(100, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapeKey.ForScale(16, 70));
    }

    [Theory]
    [InlineData("1/2", 2)]
    [InlineData("1/4", 4)]
    [InlineData(" 1/8 ", 8)]
    [InlineData("1", 1)]
    [InlineData("1/1", 1)]
    [InlineData("1/3", 0)]
    [InlineData("2", 0)]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void TryParseScale_KnowsTheFourFactors(string? text, int denominator)
    {
        Assert.Equal(denominator != 0, ScaleChoice.TryParseScale(text, out var parsed));
        Assert.Equal(denominator, parsed);
    }

    [Fact]
    public void ShapeKey_ChoosesByWidthBoxOrFixedScale()
    {
        Assert.Equal(4, ShapeKey.ForWidth(480, 70).PlanFor(1920, 1080).Denominator);
        Assert.Equal(2, ShapeKey.ForWidth(500, 70).PlanFor(1920, 1080).Denominator);
        Assert.Equal(2, ShapeKey.ForSize(640, 480, 70).PlanFor(1920, 1080).Denominator);
        Assert.Equal(8, ShapeKey.ForScale(8, 70).PlanFor(1920, 1080).Denominator);
        Assert.Equal(8, ShapeKey.ForScale(8, 70).PlanFor(64, 48).Denominator);
    }

    [Fact]
    public void ShapeKey_EqualRequestsAreOneKey()
    {
        Assert.Equal(ShapeKey.ForWidth(480, 70), ShapeKey.ForSize(480, 0, 70));
        Assert.NotEqual(ShapeKey.ForWidth(480, 70), ShapeKey.ForWidth(480, 50));
        Assert.NotEqual(ShapeKey.ForWidth(480, 70), ShapeKey.ForScale(4, 70));
        Assert.Equal("w480 q70", ShapeKey.ForWidth(480, 70).ToString());
        Assert.Equal("640x480 q50", ShapeKey.ForSize(640, 480, 50).ToString());
        Assert.Equal("1/4 q70", ShapeKey.ForScale(4, 70).ToString());
    }

    [Fact]
    public void ShapeKey_RejectsBadQualityAndEmptySize()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapeKey.ForWidth(480, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapeKey.ForWidth(480, 101));
        Assert.Throws<ArgumentException>(() => ShapeKey.ForSize(0, 0, 70));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShapeKey.ForWidth(-1, 70));
    }
}
