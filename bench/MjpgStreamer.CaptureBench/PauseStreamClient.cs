using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// One GET /?action=stream connection read continuously on its own task. Every part is logged with its
/// arrival time and frame number; the measuring thread waits on <see cref="WaitForPart"/> and looks
/// through the log, so the arrival times do not depend on when that thread wakes up.
/// </summary>
internal sealed class PauseStreamClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Lock _gate = new();
    private readonly List<StreamPart> _parts = new(capacity: 1 << 16);
    private readonly SemaphoreSlim _arrived = new(0, 1);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private byte[] _jpeg = new byte[256 * 1024];
    private int _start;
    private int _end;
    private long _maxFrame = -1;
    private string? _pictureSize;

    private PauseStreamClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Completion = Task.Run(ReadAsync, CancellationToken.None);
    }

    /// <summary>Completes only when the connection ends (faulted with the reason).</summary>
    public Task Completion { get; }

    /// <summary>Connects and sends the request; the response head is checked by the reading task.</summary>
    public static async Task<PauseStreamClient> ConnectAsync(int port, CancellationToken cancellation)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port, cancellation).ConfigureAwait(false);
            await tcp.GetStream().WriteAsync("GET /?action=stream HTTP/1.0\r\n\r\n"u8.ToArray(), cancellation).ConfigureAwait(false);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        return new PauseStreamClient(tcp);
    }

    /// <summary>The "size=" of the first part with the fake's comment (what the camera delivers), or null before it.</summary>
    public string? PictureSize => Volatile.Read(ref _pictureSize);

    /// <summary>How many parts have arrived, and the highest frame number among them (-1 for none).</summary>
    public (int Count, long MaxFrame) Mark()
    {
        lock (_gate)
        {
            return (_parts.Count, _maxFrame);
        }
    }

    /// <summary>The first part from index <paramref name="from"/> on whose frame number is above <paramref name="above"/>.</summary>
    public StreamPart? FindNewer(int from, long above)
    {
        lock (_gate)
        {
            for (var i = from; i < _parts.Count; i++)
            {
                if (_parts[i].Frame > above)
                {
                    return _parts[i];
                }
            }
        }

        return null;
    }

    /// <summary>Waits until a part arrives (or one arrived since the last wait) or the connection ends; false after <paramref name="timeout"/>.</summary>
    public bool WaitForPart(TimeSpan timeout, CancellationToken cancellation) => _arrived.Wait(timeout, cancellation);

    /// <summary>A copy of every part so far.</summary>
    public StreamPart[] Parts()
    {
        lock (_gate)
        {
            return [.. _parts];
        }
    }

    public void Dispose()
    {
        _tcp.Dispose();
        try
        {
            Completion.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The connection ending with an error is how the reader stops.
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            var status = await ReadLineAsync().ConfigureAwait(false);
            if (!status.Contains(" 200 ", StringComparison.Ordinal))
            {
                throw new IOException($"the stream request was answered \"{status}\"");
            }

            while ((await ReadLineAsync().ConfigureAwait(false)).Length > 0)
            {
            }

            while (true)
            {
                await ReadPartAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (_arrived.CurrentCount == 0)
            {
                _arrived.Release();
            }
        }
    }

    private async Task ReadPartAsync()
    {
        var length = -1;
        long timestampUs = -1;
        string line;
        do
        {
            // The boundary line, and the empty line before it after a JPEG, come before the headers.
            line = await ReadLineAsync().ConfigureAwait(false);
        }
        while (!line.StartsWith("Content-", StringComparison.OrdinalIgnoreCase));

        for (; line.Length > 0; line = await ReadLineAsync().ConfigureAwait(false))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("X-Timestamp", StringComparison.OrdinalIgnoreCase))
            {
                timestampUs = ParseTimestampUs(value);
            }
        }

        if (length < 0)
        {
            throw new IOException("a part without Content-Length");
        }

        if (_jpeg.Length < length)
        {
            _jpeg = new byte[Math.Max(length, _jpeg.Length * 2)];
        }

        await ReadExactlyAsync(_jpeg.AsMemory(0, length)).ConfigureAwait(false);
        var arrival = Stopwatch.GetTimestamp();
        Record(arrival, length, timestampUs);
    }

    private void Record(long arrival, int length, long timestampUs)
    {
        var jpeg = _jpeg.AsSpan(0, length);
        var frame = FakecamComment.TryReadFrameNumber(jpeg, out var number) ? number : -1;
        if (_pictureSize is null && FakecamComment.TryReadField(jpeg, "size="u8, out var size))
        {
            Volatile.Write(ref _pictureSize, Encoding.ASCII.GetString(size));
        }

        lock (_gate)
        {
            _parts.Add(new StreamPart(arrival, frame, timestampUs, length));
            _maxFrame = Math.Max(_maxFrame, frame);
        }

        if (_arrived.CurrentCount == 0)
        {
            // Only this task releases, so the count stays at most 1 (a waiter may take it meanwhile; that is fine).
            _arrived.Release();
        }
    }

    /// <summary>"1712345678.123456" (seconds.microseconds) as microseconds; -1 if it is not that.</summary>
    public static long ParseTimestampUs(ReadOnlySpan<char> text)
    {
        var dot = text.IndexOf('.');
        if (dot <= 0
            || !long.TryParse(text[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || !long.TryParse(text[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || text.Length - dot - 1 != 6)
        {
            return -1;
        }

        return (seconds * 1_000_000) + micros;
    }

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline).TrimEnd('\r');
                _start += newline + 1;
                return line;
            }

            if (_end - _start >= 8192)
            {
                throw new IOException("a header line longer than 8 KiB");
            }

            await FillAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> destination)
    {
        var buffered = Math.Min(destination.Length, _end - _start);
        _buffer.AsMemory(_start, buffered).CopyTo(destination);
        _start += buffered;
        if (buffered < destination.Length)
        {
            await _stream.ReadExactlyAsync(destination[buffered..]).ConfigureAwait(false);
        }
    }

    private async Task FillAsync()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end)).ConfigureAwait(false);
        if (read == 0)
        {
            throw new EndOfStreamException("the server closed the stream");
        }

        _end += read;
    }
}
