namespace MjpgStreamer.Native.Sources.Raspicam;

/// <summary>
/// rpicam-still's stdout, kept whole up to a bound: the still tool is an outside program, so a runaway one must
/// not grow the server's memory without limit.
/// </summary>
internal sealed class StillBuffer(int maxBytes)
{
    // Never more than one byte past the bound, even at the start: a full buffer is how the bound is noticed.
    private byte[] _data = new byte[Math.Min(256 * 1024, maxBytes + 1)];

    public int Length { get; private set; }

    /// <summary>The tool wrote more than the bound; reading stopped there and the bytes are not a still.</summary>
    public bool TooLarge { get; private set; }

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);

    public byte[] ToArray() => Span.ToArray();

    /// <summary>Reads until the stream ends or passes the bound; returns 0 (no corrupt frames) for the child runner.</summary>
    public async Task<long> ReadAllAsync(Stream stdout, CancellationToken cancellation)
    {
        while (true)
        {
            if (Length == _data.Length)
            {
                if (Length > maxBytes)
                {
                    TooLarge = true;
                    return 0;
                }

                // One byte past the bound is enough to tell "too large" from "exactly the bound".
                Array.Resize(ref _data, Math.Min(_data.Length * 2, maxBytes + 1));
            }

            var read = await stdout.ReadAsync(_data.AsMemory(Length), cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                return 0;
            }

            Length += read;
        }
    }
}
