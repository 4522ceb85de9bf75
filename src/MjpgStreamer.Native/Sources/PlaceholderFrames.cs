using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// The frames a source publishes while it has no picture of its own ("NO SIGNAL" with the reason, and
/// later "PAUSED"): a dark JPEG of the stream's size with a title and a line of detail, so connected
/// clients keep receiving frames and a viewer sees why. The last one rendered is kept, so the frame that
/// goes out about once a second is a copy, not an encode.
/// </summary>
public sealed class PlaceholderFrames
{
    private static readonly (byte R, byte G, byte B) Background = (24, 24, 32);
    private static readonly (byte R, byte G, byte B) TitleColor = (255, 255, 255);
    private static readonly (byte R, byte G, byte B) DetailColor = (200, 200, 200);
    private const int MaxDetailCharacters = 60;

    /// <summary>How often a waiting source repeats its placeholder (clients see a frame about once a second).</summary>
    public static readonly TimeSpan RepeatInterval = TimeSpan.FromSeconds(1);

    private (string Title, string Detail, int Width, int Height) _key;
    private byte[]? _jpeg;

    /// <summary>Publishes a placeholder frame (marked as such, so it does not count as captured).</summary>
    public void Publish(SourceContext context, string title, string? detail, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(context);
        var jpeg = Render(title, detail ?? "", width, height);
        var frame = context.RentFrame(jpeg.Length);
        frame.Write(jpeg);
        frame.Width = width;
        frame.Height = height;
        frame.IsPlaceholder = true;
        context.Publish(frame);
    }

    /// <summary>
    /// A source is away for <paramref name="wait"/> (before its next try): publishes the placeholder now and about
    /// once a second until the wait is over (or <paramref name="cancellation"/>, which throws).
    /// </summary>
    public async Task PublishWhileWaitingAsync(SourceContext context, string title, string? detail, int width, int height, TimeSpan wait, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var time = context.Time;
        var started = time.GetTimestamp();
        while (true)
        {
            Publish(context, title, detail, width, height);
            var left = wait - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(left < RepeatInterval ? left : RepeatInterval, time, cancellation).ConfigureAwait(false);
            if (time.GetElapsedTime(started) >= wait)
            {
                return;
            }
        }
    }

    /// <summary>The JPEG for this title, detail and size (rendered once, then reused).</summary>
    public byte[] Render(string title, string detail, int width, int height)
    {
        width = Math.Clamp(width, 64, 4096);
        height = Math.Clamp(height, 48, 4096);
        var key = (title, detail, width, height);
        if (_jpeg is not null && _key == key)
        {
            return _jpeg;
        }

        var rgb = new byte[width * height * 3];
        RgbCanvas.FillRect(rgb, width, height, 0, 0, width, height, Background);
        var titleScale = Math.Max(1, Math.Min(width / (TextRenderer.MeasureWidth(title, 1) + 8), height / 40));
        var titleY = (height / 2) - TextRenderer.MeasureHeight(titleScale);
        TextRenderer.Draw(rgb, width, height, (width - TextRenderer.MeasureWidth(title, titleScale)) / 2, titleY, title, titleScale, TitleColor);

        if (detail.Length > 0)
        {
            var text = detail.Length > MaxDetailCharacters ? string.Concat(detail.AsSpan(0, MaxDetailCharacters - 3), "...") : detail;
            var detailScale = Math.Max(1, Math.Min(titleScale / 3, width / (TextRenderer.MeasureWidth(text, 1) + 8)));
            var detailY = (height / 2) + TextRenderer.MeasureHeight(detailScale);
            TextRenderer.Draw(rgb, width, height, Math.Max(0, (width - TextRenderer.MeasureWidth(text, detailScale)) / 2), detailY, text, detailScale, DetailColor);
        }

        using var encoder = new JpegEncoder();
        var frame = new Core.Frames.FramePool(1).Rent(JpegEncoder.MaxEncodedLength(width, height, 2));
        try
        {
            encoder.EncodeRgb(rgb, width, height, 70, frame);
            _jpeg = frame.Span.ToArray();
            _key = key;
            return _jpeg;
        }
        finally
        {
            frame.Release();
        }
    }
}
