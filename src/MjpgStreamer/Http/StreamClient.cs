using Microsoft.AspNetCore.Http;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Http;

/// <summary>One connected stream client, as /state lists it; also what the stall watchdog checks.</summary>
internal sealed class StreamClient
{
    private long _bytesSent;
    private long _writeStartedAt;
    private long _droppedSame;

    public StreamClient(HttpContext context, string path, TimeProvider time)
    {
        Context = context;
        Path = path;
        Remote = context.Connection.RemoteIpAddress is { } ip
            ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip) + ":" + context.Connection.RemotePort
            : "unknown";
        ConnectedAt = time.GetTimestamp();
        Fps = new RateMeter(time);
    }

    public HttpContext Context { get; }

    /// <summary>The frames per second asked (fps= or -stream_fps), or null for the input's rate.</summary>
    public double? AskedFps { get; init; }

    /// <summary>Frames not sent because they were identical to the last one sent (-drop_same_frames).</summary>
    public long DroppedSame => Interlocked.Read(ref _droppedSame);

    public void DroppedSameFrame() => Interlocked.Increment(ref _droppedSame);

    /// <summary>The scaled stream the client reads (width=, quality=, -stream_size), or null for the input's frames.</summary>
    public ShapeLease? Shape { get; set; }

    public string Remote { get; }

    public string Path { get; }

    public long ConnectedAt { get; }

    public RateMeter Fps { get; }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>When the pending write began (TimeProvider timestamp), or 0 when no write is pending.</summary>
    public long WriteStartedAt => Interlocked.Read(ref _writeStartedAt);

    public void WriteStarted(long timestamp) => Interlocked.Exchange(ref _writeStartedAt, timestamp);

    public void FrameSent(int bytes)
    {
        Interlocked.Exchange(ref _writeStartedAt, 0);
        Interlocked.Add(ref _bytesSent, bytes);
        Fps.Mark();
    }
}
