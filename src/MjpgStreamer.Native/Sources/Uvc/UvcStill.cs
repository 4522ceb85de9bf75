using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Native.Jpeg;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>
/// ?action=still for a V4L2 camera: the camera thread stops the stream, opens the camera at its largest
/// size (or -still WxH), lets -still_skip frames go by so exposure settles, keeps the next good one, and
/// streams again at the stream's size with every control as it was. A request is one slot that the camera
/// thread looks at between frames; at most one still is taken at a time.
/// </summary>
internal sealed class UvcStill(UvcOptions options, UvcControls controls, DeviceCommandQueue commands)
{
    private TaskCompletionSource<byte[]>? _request;

    /// <summary>A still was asked for: the stream session must end so the camera thread takes it.</summary>
    public bool IsRequested => Volatile.Read(ref _request) is not null;

    /// <summary>The request side: waits for the camera thread to take the still.</summary>
    public async Task<byte[]> CaptureAsync(SourceContext? context, CancellationToken cancellation)
    {
        // A camera that is away answers at once; between two sessions (right after another still, say) the
        // request waits for the next one.
        if (context is null || !commands.IsAttached)
        {
            throw new StillFailedException("the input is not running");
        }

        if (context.State == InputState.NoSignal)
        {
            throw new StillFailedException($"the camera is not streaming: {context.Reason}");
        }

        var request = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _request, request, null) is not null)
        {
            throw new StillFailedException("a still is already being taken");
        }

        if (!commands.Wake())
        {
            // The camera thread ended between the check and the wake: nobody would take it.
            Fail("the input is not running");
        }

        using (cancellation.Register(static state => ((TaskCompletionSource<byte[]>)state!).TrySetCanceled(), request))
        {
            return await request.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Answers a pending request with a failure (the input stops).</summary>
    public void Fail(string reason) =>
        Interlocked.Exchange(ref _request, null)?.TrySetException(new StillFailedException(reason));

    /// <summary>
    /// Runs on the camera thread between two stream sessions; always answers the pending request. Commands
    /// that come meanwhile are executed on the still's device by <paramref name="executeCommands"/>.
    /// </summary>
    public void Take(SourceContext context, (int Width, int Height) streamSize, Inotify.FdHandle wake, Action<V4l2Device> executeCommands, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = Volatile.Read(ref _request);
        if (request is null)
        {
            return;
        }

        if (request.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _request, null, request);
            return;
        }

        byte[]? jpeg = null;
        string? failure = null;
        try
        {
            jpeg = Capture(context, streamSize, wake, executeCommands, request.Task, cancellation);
        }
        catch (Exception ex) when (ex is V4l2Exception or CameraUnavailableException or StillFailedException or InvalidOperationException)
        {
            failure = ex is V4l2Exception v4l2 ? UvcDevicePath.Describe(v4l2, options.Device) : ex.Message;
        }
        finally
        {
            // The slot is free before the answer goes out: the request's caller may ask for the next still
            // at once (CameraStream takes them one after the other).
            Interlocked.CompareExchange(ref _request, null, request);
        }

        if (jpeg is not null)
        {
            request.TrySetResult(jpeg);
            UvcLog.StillTaken(context.Logger, context.InputId, jpeg.Length);
        }
        else
        {
            request.TrySetException(new StillFailedException($"still failed: {failure}"));
            UvcLog.StillFailed(context.Logger, context.InputId, failure!);
        }
    }

    private byte[] Capture(SourceContext context, (int Width, int Height) streamSize, Inotify.FdHandle wake, Action<V4l2Device> executeCommands, Task abandoned, CancellationToken cancellation)
    {
        using var device = UvcDevicePath.Open(options.Device);
        var (pixelFormat, width, height) = Target(device, options, streamSize);
        var format = device.SetFormat(width, height, pixelFormat);
        controls.ApplyRemembered(device, context);
        device.StartStreaming(2);

        var time = context.Time;
        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        var started = time.GetTimestamp();
        var skipped = 0;
        while (true)
        {
            if (cancellation.IsCancellationRequested || abandoned.IsCompleted)
            {
                throw new StillFailedException("cancelled");
            }

            executeCommands(device);
            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new StillFailedException($"no frame at {format.Width}x{format.Height} within {options.TimeoutSeconds} s");
            }

            if (device.WaitForFrame((int)Math.Ceiling(left.TotalMilliseconds), (int)wake.DangerousGetHandle()) == V4l2WaitResult.Cancelled)
            {
                Inotify.Drain(wake);
                continue;
            }

            while (device.TryDequeue(out var buffer))
            {
                try
                {
                    if (buffer.IsError || buffer.BytesUsed < Math.Max(1, options.MinimumSize) || skipped++ < options.StillSkip)
                    {
                        continue;
                    }

                    var data = device.GetBufferData(buffer.Index, buffer.BytesUsed);
                    if (pixelFormat == FourCc.Mjpeg)
                    {
                        if (UvcFrameCopy.ToJpeg(data) is { } jpeg)
                        {
                            return jpeg;
                        }

                        continue;
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
        var layout = options.Raw ?? RawPixelLayout.Yuyv;
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
                encoder.EncodeYuvPlanes(y, u, v, format.Width, format.Height, TurboJpeg.SampleFactor422, Math.Max(options.Quality, 90), frame);
            }
            else
            {
                var rgb = new byte[format.Width * format.Height * 3];
                PackedPixels.ToRgb24(data, layout, format.Width, format.Height, stride, rgb);
                encoder.EncodeRgb(rgb, format.Width, format.Height, Math.Max(options.Quality, 90), frame);
            }

            return frame.Span.ToArray();
        }
        finally
        {
            frame.Release();
        }
    }

    /// <summary>
    /// The format and size a still is taken at: MJPEG when the camera offers it (else the stream's raw format), at
    /// -still WxH or the largest size of that format.
    /// </summary>
    public static (uint PixelFormat, int Width, int Height) Target(V4l2Device device, UvcOptions options, (int Width, int Height) streamSize)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        var pixelFormat = device.EnumerateFormats().Any(f => f.PixelFormat == FourCc.Mjpeg) ? FourCc.Mjpeg : UvcDevicePath.FourCcOf(options.Raw);
        var (width, height) = options.StillSize ?? Largest(device.EnumerateFrameSizes(pixelFormat)) ?? streamSize;
        return (pixelFormat, width, height);
    }

    private static (int Width, int Height)? Largest(IReadOnlyList<(int Width, int Height)> sizes) =>
        sizes.Count == 0 ? null : sizes.MaxBy(s => (long)s.Width * s.Height);
}
