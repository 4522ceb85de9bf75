using System.Diagnostics;
using MjpgStreamer.Core.Rtp;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Tests.Jpeg;

/// <summary>tjTransform re-codes ffmpeg's optimal-table JPEGs to the standard tables RTP/JPEG receivers assume, losslessly.</summary>
public sealed class JpegRecoderTests
{
    private static byte[] FfmpegJpeg(string pixelFormat)
    {
        var path = Path.Combine(Path.GetTempPath(), $"recoder-{Guid.NewGuid():N}.jpg");
        var start = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240", "-pix_fmt", pixelFormat, "-frames:v", "1", path })
        {
            start.ArgumentList.Add(arg);
        }

        using (var process = Process.Start(start)!)
        {
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, error);
        }

        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    [Fact]
    public void Ffmpeg_tables_become_the_standard_ones_and_the_pixels_stay()
    {
        var original = FfmpegJpeg("yuvj420p");
        Assert.Equal(RtpJpegVerdict.NeedsRecode, RtpJpegParser.Parse(original, out _, out _));

        using var recoder = new JpegRecoder();
        Assert.True(recoder.TryRecode(original, out var recoded, out var error), error);
        Assert.Equal(RtpJpegVerdict.Ready, RtpJpegParser.Parse(recoded, out var image, out _));
        Assert.Equal((1, 320, 240), (image.Type, image.Width, image.Height));

        using var decoder = new JpegDecoder();
        Assert.Equal(Decode(decoder, original), Decode(decoder, recoded.ToArray()));

        // The buffer is reused: a second frame re-codes as well.
        Assert.True(recoder.TryRecode(original, out var again, out _));
        Assert.Equal(recoded.Length, again.Length);
    }

    [Fact]
    public void Garbage_is_refused_with_the_library_message()
    {
        using var recoder = new JpegRecoder();
        Assert.False(recoder.TryRecode([0xFF, 0xD8, 0xFF, 0xD9], out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    private static byte[] Decode(JpegDecoder decoder, byte[] jpeg) => decoder.DecodeToRgb(jpeg, out _, out _);
}
