namespace MjpgStreamer.LoadClient.Tests;

/// <summary>
/// Feeds a parser the way <see cref="StreamClient"/> does: a fixed receive buffer, the unconsumed rest moved to its
/// front before the next receive.
/// </summary>
internal static class ParserFeeder
{
    public sealed record Result(List<(long Length, long TimestampUs)> Frames, string? Error, MultipartStreamParser Parser);

    public static Result Feed(IEnumerable<byte[]> chunks, int bufferSize = StreamClient.ReceiveBufferSize)
    {
        var parser = new MultipartStreamParser();
        var frames = new List<(long, long)>();
        var buffer = new byte[bufferSize];
        var filled = 0;
        foreach (var chunk in chunks)
        {
            var pending = chunk.AsSpan();
            while (!pending.IsEmpty)
            {
                // A receive delivers at most what fits behind the leftover.
                var received = Math.Min(pending.Length, buffer.Length - filled);
                pending[..received].CopyTo(buffer.AsSpan(filled));
                pending = pending[received..];
                var data = buffer.AsSpan(0, filled + received);
                var offset = 0;
                while (true)
                {
                    var status = parser.Parse(data[offset..], out var used);
                    offset += used;
                    if (status == ParseStatus.FrameComplete)
                    {
                        frames.Add((parser.FrameLength, parser.FrameTimestampUs));
                        continue;
                    }

                    if (status == ParseStatus.Error)
                    {
                        return new Result(frames, parser.Error, parser);
                    }

                    break;
                }

                filled = data.Length - offset;
                data[offset..].CopyTo(buffer);
            }
        }

        return new Result(frames, null, parser);
    }

    public static IEnumerable<byte[]> SplitAt(byte[] data, params int[] points)
    {
        var start = 0;
        foreach (var point in points)
        {
            yield return data[start..point];
            start = point;
        }

        yield return data[start..];
    }
}
