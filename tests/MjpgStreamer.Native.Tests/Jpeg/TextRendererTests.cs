using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Jpeg;

public sealed class TextRendererTests
{
    private const int Width = 120;
    private const int Height = 40;
    private static readonly (byte R, byte G, byte B) Yellow = (250, 240, 10);

    [Fact]
    public void Measure_FollowsTheFiveBySevenGridWithOneColumnGaps()
    {
        Assert.Equal(((5 * 6) - 1) * 3, TextRenderer.MeasureWidth("12:34", 3));
        Assert.Equal(5, TextRenderer.MeasureWidth("8", 1));
        Assert.Equal(0, TextRenderer.MeasureWidth("", 2));
        Assert.Equal(14, TextRenderer.MeasureHeight(2));
    }

    [Fact]
    public void Draw_SetsPixelsOnlyInsideTheTextBox()
    {
        var rgb = new byte[Width * Height * 3];
        const string text = "NO SIGNAL 12:34";
        const int x = 7, y = 5, scale = 1;

        TextRenderer.Draw(rgb, Width, Height, x, y, text, scale, Yellow);

        var right = x + TextRenderer.MeasureWidth(text, scale);
        var bottom = y + TextRenderer.MeasureHeight(scale);
        var inside = 0;
        for (var py = 0; py < Height; py++)
        {
            for (var px = 0; px < Width; px++)
            {
                var pixel = Pixel(rgb, px, py);
                if (px >= x && px < right && py >= y && py < bottom)
                {
                    Assert.True(pixel == (0, 0, 0) || pixel == Yellow, $"odd colour at {px},{py}");
                    inside += pixel == Yellow ? 1 : 0;
                }
                else
                {
                    Assert.True(pixel == (0, 0, 0), $"pixel set outside the text at {px},{py}");
                }
            }
        }

        Assert.True(inside > 100, $"only {inside} pixels drawn");
    }

    [Fact]
    public void Draw_ScalesEachFontPixelToASquare()
    {
        var small = new byte[Width * Height * 3];
        var big = new byte[Width * Height * 3];

        TextRenderer.Draw(small, Width, Height, 0, 0, "7", 1, Yellow);
        TextRenderer.Draw(big, Width, Height, 0, 0, "7", 3, Yellow);

        for (var py = 0; py < 21; py++)
        {
            for (var px = 0; px < 15; px++)
            {
                Assert.Equal(Pixel(small, px / 3, py / 3), Pixel(big, px, py));
            }
        }

        Assert.Equal(3 * 3 * CountSet(small), CountSet(big));
    }

    [Fact]
    public void Draw_EveryCharacterButSpaceLeavesAMark()
    {
        foreach (var c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZx:.-/#")
        {
            Assert.True(CountSet(Render(c.ToString())) > 0, $"'{c}' draws nothing");
        }

        Assert.Equal(0, CountSet(Render(" ")));
    }

    [Fact]
    public void Draw_GivesDifferentCharactersDifferentShapes()
    {
        var shapes = new HashSet<string>();
        foreach (var c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZx:.-/")
        {
            Assert.True(shapes.Add(Convert.ToHexString(Render(c.ToString()))), $"'{c}' looks like another character");
        }
    }

    [Fact]
    public void Draw_LowerCaseAsUpperCaseExceptX_UnknownAsQuestionMark()
    {
        Assert.Equal(Render("PAUSED"), Render("paused"));
        Assert.NotEqual(Render("X"), Render("x"));
        Assert.Equal(Render("?"), Render("\u00e9"));
    }

    [Fact]
    public void Draw_ClipsAtThePictureEdges()
    {
        var rgb = new byte[Width * Height * 3];

        TextRenderer.Draw(rgb, Width, Height, -10, -4, "88", 2, Yellow);
        TextRenderer.Draw(rgb, Width, Height, Width - 5, Height - 5, "88", 2, Yellow);
        TextRenderer.Draw(rgb, Width, Height, -1000, 10, "88", 2, Yellow);
        TextRenderer.Draw(rgb, Width, Height, 10, 5000, "88", 2, Yellow);

        Assert.True(CountSet(rgb) > 0);
        Assert.Equal(0, CountSet(rgb.AsSpan(3 * Width * 12, 3 * Width * (Height - 12 - 5))));
    }

    [Fact]
    public void Draw_RejectsABufferSmallerThanThePicture()
    {
        Assert.Throws<ArgumentException>(() => TextRenderer.Draw(new byte[10], Width, Height, 0, 0, "1", 1, Yellow));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextRenderer.Draw(new byte[Width * Height * 3], Width, Height, 0, 0, "1", 0, Yellow));
    }

    [Fact]
    public void Draw_FromACharSpan_AllocatesNothing()
    {
        var rgb = new byte[Width * Height * 3];
        Span<char> text = stackalloc char[12];
        "23:59:59.999".AsSpan().CopyTo(text);
        TextRenderer.Draw(rgb, Width, Height, 0, 0, text, 2, Yellow);

        var before = GC.GetAllocatedBytesForCurrentThread();
        TextRenderer.Draw(rgb, Width, Height, 0, 0, text, 2, Yellow);
        var width = TextRenderer.MeasureWidth(text, 2);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(width > 0);
    }

    [Fact]
    public void FillRect_FillsTheClippedRectangleOnly()
    {
        var rgb = new byte[Width * Height * 3];

        RgbCanvas.FillRect(rgb, Width, Height, Width - 4, -3, 10, 6, Yellow);

        Assert.Equal(4 * 3, CountSet(rgb));
        Assert.Equal(Yellow, Pixel(rgb, Width - 1, 2));
        Assert.Equal(Yellow, Pixel(rgb, Width - 4, 0));
        Assert.Equal((0, 0, 0), Pixel(rgb, Width - 5, 0));
        Assert.Equal((0, 0, 0), Pixel(rgb, Width - 1, 3));
    }

    private static byte[] Render(string text)
    {
        var rgb = new byte[Width * Height * 3];
        TextRenderer.Draw(rgb, Width, Height, 1, 1, text, 1, Yellow);
        return rgb;
    }

    private static (byte R, byte G, byte B) Pixel(byte[] rgb, int x, int y)
    {
        var i = ((y * Width) + x) * 3;
        return (rgb[i], rgb[i + 1], rgb[i + 2]);
    }

    private static int CountSet(ReadOnlySpan<byte> rgb)
    {
        var count = 0;
        for (var i = 0; i < rgb.Length; i += 3)
        {
            count += rgb[i] != 0 || rgb[i + 1] != 0 || rgb[i + 2] != 0 ? 1 : 0;
        }

        return count;
    }
}
