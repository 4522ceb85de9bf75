using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Shaping;

/// <summary>PlaneResizer: the resize step after a DCT-scaled decode keeps flat areas flat, gradients in place and the edges.</summary>
public sealed unsafe class PlaneResizerTests
{
    private static byte[] Resize(byte[] source, int sourceWidth, int sourceHeight, int width, int height, PlaneResizer? resizer = null)
    {
        var output = new byte[width * height];
        fixed (byte* from = source)
        fixed (byte* to = output)
        {
            (resizer ?? new PlaneResizer()).Resize(from, sourceWidth, sourceHeight, sourceWidth, to, width, height, width);
        }

        return output;
    }

    [Fact]
    public void AFlatPlane_StaysFlat()
    {
        var source = Enumerable.Repeat((byte)173, 96 * 54).ToArray();

        Assert.All(Resize(source, 96, 54, 64, 36), v => Assert.Equal(173, v));
    }

    [Fact]
    public void Half_IsTheAverageOfEachTwoByTwo()
    {
        var source = new byte[8 * 4];
        for (var i = 0; i < source.Length; i++)
        {
            source[i] = (byte)(i * 7);
        }

        var half = Resize(source, 8, 4, 4, 2);

        for (var y = 0; y < 2; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                var sum = source[(2 * y * 8) + (2 * x)] + source[(2 * y * 8) + (2 * x) + 1] + source[((2 * y) + 1) * 8 + (2 * x)] + source[((2 * y) + 1) * 8 + (2 * x) + 1];
                Assert.InRange(half[(y * 4) + x], (sum / 4) - 1, (sum / 4) + 1);
            }
        }
    }

    [Fact]
    public void AHorizontalRamp_StaysARamp_FromEdgeToEdge()
    {
        // 0..239 across 240 columns, resized to 160 by 2/3: increasing, starting near 0 and ending near 239.
        var source = new byte[240 * 2];
        for (var x = 0; x < 240; x++)
        {
            source[x] = source[240 + x] = (byte)x;
        }

        var row = Resize(source, 240, 2, 160, 2).AsSpan(0, 160).ToArray();

        for (var x = 1; x < 160; x++)
        {
            Assert.True(row[x] > row[x - 1], $"column {x}: {row[x]} after {row[x - 1]}");
            Assert.InRange(row[x], (int)(((x + 0.5) * 1.5) - 0.5) - 1, (int)(((x + 0.5) * 1.5) - 0.5) + 1);
        }

        Assert.InRange(row[0], 0, 1);
        Assert.InRange(row[159], 237, 239);
    }

    [Fact]
    public void OneResizer_ServesPlanesOfSeveralSizes_WithoutAllocatingAgain()
    {
        var resizer = new PlaneResizer();
        var luma = new byte[960 * 540];
        var chroma = new byte[480 * 540];
        var lumaOut = new byte[640 * 360];
        var chromaOut = new byte[320 * 360];
        fixed (byte* l = luma)
        fixed (byte* c = chroma)
        fixed (byte* lo = lumaOut)
        fixed (byte* co = chromaOut)
        {
            resizer.Resize(l, 960, 540, 960, lo, 640, 360, 640);
            resizer.Resize(c, 480, 540, 480, co, 320, 360, 320);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 3; i++)
            {
                resizer.Resize(l, 960, 540, 960, lo, 640, 360, 640);
                resizer.Resize(c, 480, 540, 480, co, 320, 360, 320);
                resizer.Resize(c, 480, 540, 480, co, 320, 360, 320);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
