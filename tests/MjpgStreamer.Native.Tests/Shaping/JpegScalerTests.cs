using System.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Shaping;

/// <summary>
/// JpegScaler: a 1920x1080 JPEG becomes a 480x270 (1/4) or 960x540 (1/2) JPEG of the same subsampling and picture,
/// its buffers are reused without managed allocation, and bad data is a counted failure, not a crash.
/// </summary>
public sealed unsafe class JpegScalerTests
{
    private static readonly Dictionary<string, byte[]> Sources = [];

    /// <summary>ffmpeg's testsrc at 1920x1080 as one JPEG of <paramref name="pixelFormat"/> (quality about 80, as a camera's).</summary>
    internal static byte[] FullHd(string pixelFormat)
    {
        lock (Sources)
        {
            if (Sources.TryGetValue(pixelFormat, out var cached))
            {
                return cached;
            }

            var path = Path.Combine(Path.GetTempPath(), $"scaler-{Guid.NewGuid():N}.jpg");
            try
            {
                var start = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
                foreach (var arg in new[] { "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=1920x1080", "-pix_fmt", pixelFormat, "-q:v", "4", "-frames:v", "1", path })
                {
                    start.ArgumentList.Add(arg);
                }

                using var process = Process.Start(start)!;
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"ffmpeg: {error}");
                return Sources[pixelFormat] = File.ReadAllBytes(path);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static (int Width, int Height, int Subsamp) Header(ReadOnlySpan<byte> jpeg)
    {
        using var handle = TurboJpegHandle.CreateDecompressor();
        int width, height, subsamp, colorspace;
        fixed (byte* data = jpeg)
        {
            Assert.Equal(0, TurboJpeg.DecompressHeader3(handle.Value, data, (nuint)jpeg.Length, &width, &height, &subsamp, &colorspace));
        }

        return (width, height, subsamp);
    }

    /// <summary>
    /// The mean difference per RGB sample between each pixel of <paramref name="small"/> and the average of the
    /// <paramref name="block"/> x <paramref name="block"/> pixels of <paramref name="full"/> it stands for.
    /// </summary>
    private static double MeanBlockError(byte[] full, int fullWidth, byte[] small, int width, int height, int block)
    {
        long error = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0;
                    for (var dy = 0; dy < block; dy++)
                    {
                        for (var dx = 0; dx < block; dx++)
                        {
                            sum += full[((((y * block) + dy) * fullWidth) + (x * block) + dx) * 3 + c];
                        }
                    }

                    error += Math.Abs((sum / (block * block)) - small[(((y * width) + x) * 3) + c]);
                }
            }
        }

        return error / (width * height * 3.0);
    }

    [Theory]
    [InlineData("yuvj420p", TurboJpeg.SampleFactor420)]
    [InlineData("yuvj422p", TurboJpeg.SampleFactor422)]
    [InlineData("yuvj444p", TurboJpeg.SampleFactor444)]
    public void Width480_Of1080p_Is480x270_SameSubsampling_SamePicture(string pixelFormat, int subsamp)
    {
        var source = FullHd(pixelFormat);
        Assert.Equal((1920, 1080, subsamp), Header(source));
        using var scaler = new JpegScaler();

        Assert.True(scaler.TryScale(source, ShapeKey.ForWidth(480, 70), out var result, out var width, out var height, out var reason), reason);
        Assert.Equal((480, 270), (width, height));
        var scaled = result.ToArray();
        Assert.Equal((480, 270, subsamp), Header(scaled));

        using var decoder = new JpegDecoder();
        var small = decoder.DecodeToRgb(scaled, out _, out _);
        var full = decoder.DecodeToRgb(source, out _, out _);

        // The same picture: every 4x4 block of the full frame, averaged, is close to the scaled pixel (testsrc's sharp
        // edges and two quantizations allow some error; a wrong plane layout or scale is far off).
        var meanError = MeanBlockError(full, 1920, small, 480, 270, 4);
        Assert.True(meanError < 8, $"mean error per sample {meanError:0.00}");
    }

    [Theory]
    [InlineData("yuvj420p", TurboJpeg.SampleFactor420)]
    [InlineData("yuvj422p", TurboJpeg.SampleFactor422)]
    public void Width640_Of1080p_IsExactly640x360_TheSamePicture(string pixelFormat, int subsamp)
    {
        // No DCT scale gives 640 from 1920: decoded at 1/2 (960x540) and resized by 2/3.
        var source = FullHd(pixelFormat);
        using var scaler = new JpegScaler();

        Assert.True(scaler.TryScale(source, ShapeKey.ForWidth(640, 70), out var result, out var width, out var height, out var reason), reason);
        Assert.Equal((640, 360), (width, height));
        var scaled = result.ToArray();
        Assert.Equal((640, 360, subsamp), Header(scaled));

        using var decoder = new JpegDecoder();
        var small = decoder.DecodeToRgb(scaled, out _, out _);
        var full = decoder.DecodeToRgb(source, out _, out _);

        // Each output pixel against the 3x3 block of the full frame it covers: a shifted, stretched or channel-swapped
        // picture is far off.
        var meanError = MeanBlockError(full, 1920, small, 640, 360, 3);
        Assert.True(meanError < 8, $"mean error per sample {meanError:0.00}");
    }

    [Fact]
    public void Half_Of1080p422_Is960x540()
    {
        using var scaler = new JpegScaler();
        Assert.True(scaler.TryScale(FullHd("yuvj422p"), 2, 70, out var result, out var width, out var height, out var reason), reason);
        Assert.Equal((960, 540), (width, height));
        Assert.Equal((960, 540, TurboJpeg.SampleFactor422), Header(result));
    }

    [Fact]
    public void Eighth_OfGrey_StaysGrey()
    {
        var pool = new FramePool();
        var frame = pool.Rent();
        var y = new byte[640 * 480];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = (byte)(i % 640 / 3);
        }

        // A grey source made from the Y plane alone through TurboJPEG (JpegEncoder has no grey mode).
        using var compressor = TurboJpegHandle.CreateCompressor();
        var output = new byte[(int)TurboJpeg.BufSize(640, 480, TurboJpeg.SampleFactorGray)];
        nuint size = (nuint)output.Length;
        var stride = 640;
        fixed (byte* plane = y)
        fixed (byte* buffer = output)
        {
            var planes = stackalloc byte*[3] { plane, null, null };
            var strides = stackalloc int[3] { stride, 0, 0 };
            var jpeg = buffer;
            Assert.Equal(0, TurboJpeg.CompressFromYuvPlanes(compressor.Value, planes, 640, strides, 480, TurboJpeg.SampleFactorGray, &jpeg, &size, 90, TurboJpeg.FlagNoRealloc));
        }

        var grey = output.AsSpan(0, (int)size).ToArray();
        using var scaler = new JpegScaler();
        Assert.True(scaler.TryScale(grey, ShapeKey.ForScale(8, 70), frame, out var reason), reason);
        Assert.Equal((80, 60), (frame.Width, frame.Height));
        Assert.Equal((80, 60, TurboJpeg.SampleFactorGray), Header(frame.Span));
        frame.Release();
    }

    [Fact]
    public void AfterWarmUp_AllocatesNothingOnTheManagedHeap()
    {
        var source = FullHd("yuvj422p");
        using var scaler = new JpegScaler();
        var shape = ShapeKey.ForWidth(480, 70);
        var resized = ShapeKey.ForWidth(640, 70);
        Assert.True(scaler.TryScale(source, shape, out _, out _, out _, out _));
        Assert.True(scaler.TryScale(source, 2, 70, out _, out _, out _, out _));
        Assert.True(scaler.TryScale(source, resized, out _, out _, out _, out _));
        var held = scaler.BufferBytes;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
        {
            scaler.TryScale(source, shape, out _, out _, out _, out _);
            scaler.TryScale(source, 2, 70, out _, out _, out _, out _);
            scaler.TryScale(source, resized, out _, out _, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(held, scaler.BufferBytes);
    }

    [Fact]
    public void CorruptOrTruncatedJpeg_IsACountedFailure_AndTheNextGoodFrameWorks()
    {
        var source = FullHd("yuvj420p");
        using var scaler = new JpegScaler();
        var shape = ShapeKey.ForWidth(480, 70);

        var noise = new byte[5000];
        new Random(14).NextBytes(noise);
        Assert.False(scaler.TryScale(noise, shape, out _, out _, out _, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));

        Assert.False(scaler.TryScale(source.AsSpan(0, source.Length / 2), shape, out _, out _, out _, out reason));
        Assert.False(string.IsNullOrEmpty(reason));

        Assert.False(scaler.TryScale([], shape, out _, out _, out _, out _));

        var damaged = source.ToArray();
        new Random(7).NextBytes(damaged.AsSpan(damaged.Length / 3, 2000));
        _ = scaler.TryScale(damaged, shape, out _, out _, out _, out _); // may decode to garbage or fail, must not crash

        Assert.True(scaler.Failures >= 3);
        var failures = scaler.Failures;
        Assert.True(scaler.TryScale(source, shape, out _, out var width, out var height, out reason), reason);
        Assert.Equal((480, 270), (width, height));
        Assert.Equal(failures, scaler.Failures);
    }

    [Fact]
    public void TheLibraryScalesByTheFactorsUsed()
    {
        Assert.True(JpegScaler.Supports(2));
        Assert.True(JpegScaler.Supports(4));
        Assert.True(JpegScaler.Supports(8));
    }
}
