using System.Diagnostics;
using MjpgStreamer.Core.Rtp;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Jpeg;

/// <summary>
/// JPEG layouts RTP/JPEG cannot describe (ffmpeg's yuvj422p is Y 2x2 with Cb/Cr 1x2; 4:4:4; grayscale) are re-encoded
/// to 4:2:2 or 4:2:0 with standard tables, close to the original pixels.
/// </summary>
public sealed class JpegReencoderTests
{
    /// <summary>ffmpeg's testsrc as one JPEG of <paramref name="pixelFormat"/>; "gray" through cjpeg -grayscale (ffmpeg's mjpeg writes no grayscale).</summary>
    private static byte[] TestJpeg(string pixelFormat, string size = "320x240")
    {
        var path = Path.Combine(Path.GetTempPath(), $"reencoder-{Guid.NewGuid():N}");
        try
        {
            if (pixelFormat == "gray")
            {
                Run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", $"testsrc=size={size}", "-frames:v", "1", "-f", "image2", "-c:v", "ppm", path + ".ppm");
                Run("cjpeg", "-grayscale", "-outfile", path + ".jpg", path + ".ppm");
            }
            else
            {
                Run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", $"testsrc=size={size}", "-pix_fmt", pixelFormat, "-frames:v", "1", path + ".jpg");
            }

            return File.ReadAllBytes(path + ".jpg");
        }
        finally
        {
            File.Delete(path + ".ppm");
            File.Delete(path + ".jpg");
        }
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program}: {error}");
    }

    [Theory]
    [InlineData("yuvj422p", 0, 38)] // Y 2x2, Cb/Cr 1x2 → Y 2x1, Cb/Cr 1x1 through YUV planes: only the second quantization
    [InlineData("yuvj444p", 0, 25)] // through RGB, to 4:2:2: testsrc's sharp colour edges lose chroma
    [InlineData("gray", 1, 38)] // through RGB, to 4:2:0 with grey chroma
    public void Layouts_rtp_cannot_describe_become_ones_it_can(string pixelFormat, int type, int minimumPsnr)
    {
        var original = TestJpeg(pixelFormat);
        Assert.Equal(RtpJpegVerdict.NeedsReencode, RtpJpegParser.Parse(original, out var source, out _));
        var quality = JpegQuality.Estimate(original.AsSpan(source.LumaTableOffset, 64));
        Assert.InRange(quality, 1, 100);

        using var reencoder = new JpegReencoder();
        Assert.True(reencoder.TryReencode(original, quality, out var reencoded, out var error), error);
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(reencoded, out var image, out _));
        Assert.Equal((type, 320, 240, 0), (image.Type, image.Width, image.Height, image.RestartInterval));

        using var decoder = new JpegDecoder();
        var before = decoder.DecodeToRgb(original, out _, out _);
        var after = decoder.DecodeToRgb(reencoded.ToArray(), out _, out _);
        Assert.Equal(before.Length, after.Length);
        long squares = 0;
        for (var i = 0; i < before.Length; i++)
        {
            var d = before[i] - after[i];
            squares += d * d;
        }

        var psnr = 10 * Math.Log10(255.0 * 255.0 * before.Length / Math.Max(1, squares));
        Assert.True(psnr > minimumPsnr, $"PSNR {psnr:F1} dB");

        // The buffers are reused: a second, larger frame and then the first again re-encode as well.
        Assert.True(reencoder.TryReencode(TestJpeg(pixelFormat, "1280x720"), quality, out var large, out error), error);
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(large, out image, out _));
        Assert.Equal((1280, 720), (image.Width, image.Height));
        Assert.True(reencoder.TryReencode(original, quality, out var again, out _));
        Assert.Equal(reencoded.Length, again.Length);
    }

    [Fact]
    public void Garbage_is_refused_with_the_library_message()
    {
        using var reencoder = new JpegReencoder();
        Assert.False(reencoder.TryReencode([0xFF, 0xD8, 0xFF, 0xD9], 90, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
