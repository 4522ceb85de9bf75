using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// ?action=still for a V4L2 camera: the capture thread stops the stream, opens the camera at its largest
/// size (or -still WxH), lets -still_skip frames go by so exposure settles, keeps the next good one, and
/// streams again at the stream's size with every control as it was.
/// </summary>
public sealed partial class UvcSource
{
    private TaskCompletionSource<byte[]>? _stillRequest;

    public async Task<byte[]> CaptureStillAsync(CancellationToken cancellation)
    {
        var request = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_deviceGate)
        {
            // Between two sessions (right after another still, say) the request waits for the next one;
            // a camera that is away answers at once.
            if (_wake is null || _context is null)
            {
                throw new StillFailedException("the input is not running");
            }

            if (_context.State == InputState.NoSignal)
            {
                throw new StillFailedException($"the camera is not streaming: {_context.Reason}");
            }

            if (Interlocked.CompareExchange(ref _stillRequest, request, null) is not null)
            {
                throw new StillFailedException("a still is already being taken");
            }

            if (_wake is { } wake)
            {
                Interop.Inotify.Signal(wake);
            }
        }

        using (cancellation.Register(static state => ((TaskCompletionSource<byte[]>)state!).TrySetCanceled(), request))
        {
            return await request.Task.ConfigureAwait(false);
        }
    }

    private void FailPendingStill(string reason) =>
        Interlocked.Exchange(ref _stillRequest, null)?.TrySetException(new StillFailedException(reason));

    /// <summary>Runs on the capture thread between two stream sessions; always answers the pending request.</summary>
    private void StillSession(SourceContext context, CancellationToken cancellation, int wakeFd)
    {
        var request = Volatile.Read(ref _stillRequest);
        if (request is null)
        {
            return;
        }

        try
        {
            if (request.Task.IsCompleted)
            {
                return;
            }

            var jpeg = TakeStill(context, cancellation, wakeFd, request.Task);
            request.TrySetResult(jpeg);
            LogStillTaken(context.Logger, context.InputId, jpeg.Length);
        }
        catch (Exception ex) when (ex is V4l2Exception or CameraUnavailableException or StillFailedException or InvalidOperationException)
        {
            var reason = ex is V4l2Exception v4l2 ? Describe(v4l2) : ex.Message;
            request.TrySetException(new StillFailedException($"still failed: {reason}"));
            LogStillFailed(context.Logger, context.InputId, reason);
        }
        finally
        {
            Interlocked.CompareExchange(ref _stillRequest, null, request);
        }
    }

    private byte[] TakeStill(SourceContext context, CancellationToken cancellation, int wakeFd, Task abandoned)
    {
        using var device = V4l2Device.Open(ResolveDevice(_options.Device));
        var formats = device.EnumerateFormats();
        var pixelFormat = formats.Any(f => f.PixelFormat == FourCc.Mjpeg) ? FourCc.Mjpeg : FourCcOf(_options.Raw);
        var (width, height) = _options.StillSize ?? Largest(device.EnumerateFrameSizes(pixelFormat)) ?? (_width, _height);
        var format = device.SetFormat(width, height, pixelFormat);
        ApplyRememberedControls(device, context);
        device.StartStreaming(2);

        var time = context.Time;
        var timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds);
        var started = time.GetTimestamp();
        var skipped = 0;
        while (true)
        {
            if (cancellation.IsCancellationRequested || abandoned.IsCompleted)
            {
                throw new StillFailedException("cancelled");
            }

            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new StillFailedException($"no frame at {format.Width}x{format.Height} within {_options.TimeoutSeconds} s");
            }

            if (device.WaitForFrame((int)Math.Ceiling(left.TotalMilliseconds), wakeFd) == V4l2WaitResult.Cancelled)
            {
                Interop.Inotify.Drain(_wake!);
                continue;
            }

            while (device.TryDequeue(out var buffer))
            {
                try
                {
                    if (buffer.IsError || buffer.BytesUsed < Math.Max(1, _options.MinimumSize) || skipped++ < _options.StillSkip)
                    {
                        continue;
                    }

                    var data = device.GetBufferData(buffer.Index, buffer.BytesUsed);
                    if (pixelFormat == FourCc.Mjpeg)
                    {
                        if (!JpegInfo.HasSoiAndEoi(data))
                        {
                            continue;
                        }

                        var insertAt = StandardHuffmanTables.FindInsertionPoint(data);
                        if (insertAt < 0)
                        {
                            return data.ToArray();
                        }

                        var jpeg = new byte[data.Length + StandardHuffmanTables.Segment.Length];
                        StandardHuffmanTables.CopyWithTables(data, insertAt, jpeg);
                        return jpeg;
                    }

                    return EncodeRaw(data, format);
                }
                finally
                {
                    device.Requeue(buffer.Index);
                }
            }
        }
    }

    private byte[] EncodeRaw(ReadOnlySpan<byte> data, V4l2PixFormat format)
    {
        var layout = _options.Raw ?? RawPixelLayout.Yuyv;
        var stride = Math.Max(format.BytesPerLine, PackedPixels.RowBytes(layout, format.Width));
        using var encoder = new JpegEncoder();
        var frame = new FramePool(1).Rent();
        try
        {
            if (layout is RawPixelLayout.Yuyv or RawPixelLayout.Uyvy)
            {
                var y = new byte[format.Width * format.Height];
                var u = new byte[y.Length / 2];
                var v = new byte[y.Length / 2];
                PackedPixels.SplitPacked422(data, format.Width, format.Height, stride, layout == RawPixelLayout.Uyvy, y, u, v);
                encoder.EncodeYuvPlanes(y, u, v, format.Width, format.Height, Interop.TurboJpeg.SampleFactor422, Math.Max(_options.Quality, 90), frame);
            }
            else
            {
                var rgb = new byte[format.Width * format.Height * 3];
                PackedPixels.ToRgb24(data, layout, format.Width, format.Height, stride, rgb);
                encoder.EncodeRgb(rgb, format.Width, format.Height, Math.Max(_options.Quality, 90), frame);
            }

            return frame.Span.ToArray();
        }
        finally
        {
            frame.Release();
        }
    }

    private static (int Width, int Height)? Largest(IReadOnlyList<(int Width, int Height)> sizes) =>
        sizes.Count == 0 ? null : sizes.MaxBy(s => (long)s.Width * s.Height);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "input {InputId}: still taken ({Bytes} bytes)")]
    private static partial void LogStillTaken(ILogger logger, int inputId, int bytes);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "input {InputId}: still failed: {Reason}")]
    private static partial void LogStillFailed(ILogger logger, int inputId, string reason);
}
