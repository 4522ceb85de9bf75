using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// A hub subscriber that takes and releases every frame it is given, as a stream client does (minus the
/// socket), so the measured cost is the source's and the hub's. While recording it keeps the frame lengths
/// in a preallocated array: nothing is allocated per frame.
/// </summary>
internal sealed class DrainingClient : IDisposable
{
    private readonly FrameSubscriber _subscriber;
    private readonly int[] _lengths;
    private readonly SemaphoreSlim? _onFrame;
    private long _frames;
    private int _recorded;
    private volatile bool _recording;
    private int _width;
    private int _height;

    /// <param name="onFrame">Released (up to a count of 1) after each frame, for a feeder that waits for one.</param>
    public DrainingClient(LatestFrameHub hub, int lengthCapacity, SemaphoreSlim? onFrame, CancellationToken cancellation)
    {
        _subscriber = hub.Subscribe(cancellation);
        _lengths = new int[lengthCapacity];
        _onFrame = onFrame;
        Completion = Task.Run(DrainAsync, CancellationToken.None);
    }

    public Task Completion { get; }

    public long Frames => Interlocked.Read(ref _frames);

    public (int Width, int Height) LastSize => (Volatile.Read(ref _width), Volatile.Read(ref _height));

    /// <summary>Lengths of the frames received while recording (the first <c>lengthCapacity</c> of them).</summary>
    public ReadOnlySpan<int> RecordedLengths => _lengths.AsSpan(0, Volatile.Read(ref _recorded));

    public void StartRecording() => _recording = true;

    public void StopRecording() => _recording = false;

    public void Dispose() => _subscriber.Dispose();

    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                var frame = await _subscriber.NextAsync().ConfigureAwait(false);
                if (frame is null)
                {
                    continue;
                }

                if (!frame.IsPlaceholder)
                {
                    if (_recording && _recorded < _lengths.Length)
                    {
                        _lengths[_recorded] = frame.Length;
                        Volatile.Write(ref _recorded, _recorded + 1);
                    }

                    Volatile.Write(ref _width, frame.Width);
                    Volatile.Write(ref _height, frame.Height);
                    Interlocked.Increment(ref _frames);
                }

                frame.Release();
                if (_onFrame is { CurrentCount: 0 } onFrame)
                {
                    // Only this thread releases and the feeder only takes, so the count never passes 1.
                    onFrame.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
