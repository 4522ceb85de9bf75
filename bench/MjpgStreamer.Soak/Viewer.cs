using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MjpgStreamer.LoadClient;

namespace MjpgStreamer.Soak;

/// <summary>
/// One stream client (GET /?action=stream on a raw socket, parsed by the load client's parser) that notes when each
/// frame arrived. It runs until <see cref="DisposeAsync"/>; a broken stream is a <see cref="Failure"/>, never a throw.
/// </summary>
public sealed class Viewer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<long> _arrivals = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public Viewer(int port, string path = "/?action=stream", string? authorization = null)
    {
        var request = $"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n" + (authorization is null ? "" : $"Authorization: {authorization}\r\n") + "\r\n";
        _run = RunAsync(new IPEndPoint(IPAddress.Loopback, port), Encoding.ASCII.GetBytes(request), _stop.Token);
    }

    public long Frames
    {
        get
        {
            lock (_gate)
            {
                return _arrivals.Count;
            }
        }
    }

    /// <summary>Null while the stream is healthy; why it broke otherwise.</summary>
    public string? Failure { get; private set; }

    /// <summary>Frames that arrived at or after the Stopwatch timestamp <paramref name="since"/>.</summary>
    public long FramesSince(long since)
    {
        lock (_gate)
        {
            var index = _arrivals.BinarySearch(since);
            return _arrivals.Count - (index < 0 ? ~index : index);
        }
    }

    /// <summary>Frames per second between two Stopwatch timestamps.</summary>
    public double Fps(long from, long to)
    {
        long count;
        lock (_gate)
        {
            var start = _arrivals.BinarySearch(from);
            var end = _arrivals.BinarySearch(to);
            count = (end < 0 ? ~end : end) - (start < 0 ? ~start : start);
        }

        var seconds = (double)(to - from) / Stopwatch.Frequency;
        return seconds > 0 ? count / seconds : 0;
    }

    /// <summary>Waits until a frame arrives after <paramref name="since"/>; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForFrameAsync(long since, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (FramesSince(since) == 0)
        {
            if (Stopwatch.GetTimestamp() > deadline || Failure is not null)
            {
                return false;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        return true;
    }

    private async Task RunAsync(IPEndPoint endPoint, byte[] request, CancellationToken stop)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                connect.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(endPoint, connect.Token).ConfigureAwait(false);
            }

            await socket.SendAsync(request, SocketFlags.None, stop).ConfigureAwait(false);
            var buffer = new byte[StreamClient.ReceiveBufferSize];
            var parser = new MultipartStreamParser();
            var filled = 0;
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, stop).ConfigureAwait(false);
                if (received == 0)
                {
                    Failure ??= parser.HeadComplete ? "the server closed the stream" : $"closed without a stream (status {parser.StatusCode})";
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                var data = buffer.AsSpan(0, filled + received);
                var offset = 0;
                while (true)
                {
                    var status = parser.Parse(data[offset..], out var used);
                    offset += used;
                    if (status == ParseStatus.FrameComplete)
                    {
                        lock (_gate)
                        {
                            _arrivals.Add(now);
                        }

                        continue;
                    }

                    if (status == ParseStatus.Error)
                    {
                        Failure ??= parser.Error ?? "bad stream";
                        return;
                    }

                    break;
                }

                filled = data.Length - offset;
                if (filled > 0)
                {
                    data[offset..].CopyTo(buffer);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
            Failure ??= "connect timed out";
        }
        catch (SocketException e)
        {
            Failure ??= "stream broke: " + e.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stop.Dispose();
    }
}
