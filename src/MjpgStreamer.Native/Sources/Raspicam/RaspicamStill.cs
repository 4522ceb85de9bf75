using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// input_raspicam's full-resolution stills: one run of rpicam-still (libcamera-still on older systems) on the
/// camera thread while rpicam-vid is stopped, its JPEG read into a <see cref="StillBuffer"/>, and every way that
/// can go wrong turned into a <see cref="StillFailedException"/> whose message says what happened.
/// </summary>
internal sealed class RaspicamStill
{
    private readonly ChildProcessRunner _runner = new(RaspicamSource.ThreadName);

    public RaspicamStill(IReadOnlyList<string> stillOptions)
    {
        Arguments = ["-o", "-", "--immediate", "--nopreview", "--verbose", "0", .. stillOptions];
    }

    /// <summary>rpicam-still's arguments (without the program name).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Where rpicam-still is looked for (a PATH-like list); null: the process's PATH.</summary>
    public string? SearchPath { get; set; }

    /// <summary>The whole still, from the request (stopping rpicam-vid included) to rpicam-still's JPEG.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxBytes { get; set; } = 50 * 1024 * 1024;

    public TimeSpan TerminateGrace
    {
        get => _runner.TerminateGrace;
        set => _runner.TerminateGrace = value;
    }

    /// <summary>
    /// Takes the still for <paramref name="request"/> and completes it: the JPEG, a <see cref="StillFailedException"/>,
    /// or cancelled when the caller gave up. <paramref name="cancellation"/> is the input's own (pause or stop).
    /// </summary>
    public async Task TakeAsync(SourceContext context, StillRequest request, CancellationToken cancellation)
    {
        var remaining = Timeout - context.Time.GetElapsedTime(request.Requested);
        using var timeout = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, context.Time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation, request.Cancellation, timeout.Token);
        if (RaspicamPrograms.Find(RaspicamPrograms.Still, SearchPath) is not { } program)
        {
            request.Done.TrySetException(new StillFailedException("rpicam-still not found"));
            return;
        }

        var name = Path.GetFileName(program);
        context.SetState(InputState.Still, "taking a still");
        var jpeg = new StillBuffer(MaxBytes);
        ChildRunResult result;
        try
        {
            result = await CameraThread.RunAsync(() => _runner.RunAsync(
                [program, .. Arguments],
                context.Logger,
                context.Time,
                jpeg.ReadAllAsync,
                previousReason: null,
                exitIsNormal: true,
                limit.Token)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RaspicamLog.RunFailed(context.Logger, name, ex);
            request.Done.TrySetException(new StillFailedException($"{name}: {ex.Message}", ex));
            return;
        }
        finally
        {
            if (!cancellation.IsCancellationRequested)
            {
                context.SetState(InputState.Starting, "resuming after a still");
            }
        }

        if (request.Cancellation.IsCancellationRequested)
        {
            request.Done.TrySetCanceled(request.Cancellation);
            return;
        }

        if (Failure(result, jpeg, name, cancellation.IsCancellationRequested, timeout.IsCancellationRequested) is { } failure)
        {
            RaspicamLog.StillFailed(context.Logger, failure.Message);
            request.Done.TrySetException(failure);
            return;
        }

        request.Done.TrySetResult(jpeg.ToArray());
    }

    /// <summary>Why the run did not give a still, checked from the cause outward (a killed tool also exits non-zero); null: it did.</summary>
    private StillFailedException? Failure(ChildRunResult result, StillBuffer jpeg, string name, bool paused, bool timedOut)
    {
        var said = _runner.LastErrorLine is { } line ? $": {line}" : "";
        if (paused)
        {
            return new StillFailedException("the input was paused");
        }

        if (timedOut)
        {
            return new StillFailedException($"{name} did not finish within {Timeout.TotalSeconds:0.#} s{said}");
        }

        if (!result.Started)
        {
            return new StillFailedException(result.Reason);
        }

        if (jpeg.TooLarge)
        {
            return new StillFailedException($"{name} wrote more than {MaxBytes / (1024 * 1024)} MB");
        }

        if (result.ExitCode != 0)
        {
            return new StillFailedException($"{name} failed (exit code {result.ExitCode}){said}");
        }

        return JpegInfo.HasSoiAndEoi(jpeg.Span) ? null : new StillFailedException($"{name} did not write a JPEG ({jpeg.Length} bytes){said}");
    }
}
