using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MjpgStreamer.Core.Rtp;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Rtsp;

/// <summary>
/// One RTSP session: its transport (interleaved on the RTSP connection, or a UDP socket pair of its own), and while it
/// plays, the loop that sends it the stream's packet blocks (whole frames, the newest one each time) and an RTCP sender
/// report every 5 s. Owned by its connection: it ends with TEARDOWN, the connection, or the session timeout.
/// </summary>
internal sealed class RtspSession : IAsyncDisposable
{
    public const int ReportSeconds = 5;

    private readonly RtspConnection _connection;
    private readonly RtpJpegStream _stream;
    private readonly TimeProvider _time;
    private readonly Socket? _rtp;
    private readonly Socket? _rtcp;
    private readonly CancellationTokenSource _closing = new();
    private CancellationTokenSource? _play;
    private Task? _sender;
    private Task? _rtcpReceiver;
    private long _frames;
    private long _bytes;
    private long _packets;
    private long _lastReport;
    private int _disposed;

    private RtspSession(RtspConnection connection, RtpJpegStream stream, TimeProvider time, Socket? rtp, Socket? rtcp)
    {
        _connection = connection;
        _stream = stream;
        _time = time;
        _rtp = rtp;
        _rtcp = rtcp;
        Id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    }

    public string Id { get; }

    public bool IsTcp => _rtp is null;

    public int RtpChannel { get; private init; }

    public int RtcpChannel { get; private init; }

    public int ServerRtpPort { get; private init; }

    public string Transport => IsTcp ? "tcp" : "udp";

    public bool Playing => _play is not null;

    public long FramesSent => Interlocked.Read(ref _frames);

    public long BytesSent => Interlocked.Read(ref _bytes);

    /// <summary>RTP over the RTSP connection on channels <paramref name="rtpChannel"/> and the one after.</summary>
    public static RtspSession OverTcp(RtspConnection connection, RtpJpegStream stream, TimeProvider time, int rtpChannel) =>
        new(connection, stream, time, null, null) { RtpChannel = rtpChannel, RtcpChannel = rtpChannel + 1 };

    /// <summary>
    /// RTP over UDP: a pair of sockets on <paramref name="local"/> (even port for RTP, the next for RTCP), connected to
    /// the client's ports. Null when no pair could be bound.
    /// </summary>
    public static RtspSession? OverUdp(RtspConnection connection, RtpJpegStream stream, TimeProvider time, IPAddress local, IPAddress client, int clientRtp, int clientRtcp)
    {
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var rtp = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            Socket? rtcp = null;
            try
            {
                rtp.Bind(new IPEndPoint(local, 0));
                var port = ((IPEndPoint)rtp.LocalEndPoint!).Port;
                if (port % 2 != 0 || port == 65534)
                {
                    rtp.Dispose();
                    continue;
                }

                rtcp = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                rtcp.Bind(new IPEndPoint(local, port + 1));
                rtp.Connect(new IPEndPoint(client, clientRtp));
                rtcp.Connect(new IPEndPoint(client, clientRtcp));
                rtp.SendBufferSize = Math.Max(rtp.SendBufferSize, 512 * 1024);
                var session = new RtspSession(connection, stream, time, rtp, rtcp) { ServerRtpPort = port };
                session._rtcpReceiver = session.ReceiveRtcpAsync();
                return session;
            }
            catch (SocketException)
            {
                rtp.Dispose();
                rtcp?.Dispose();
            }
        }

        return null;
    }

    /// <summary>Starts sending from the next frame; returns the first packet's sequence number and RTP time.</summary>
    public (ushort Sequence, uint RtpTime) Play()
    {
        if (_play is not null)
        {
            return (0, 0);
        }

        _play = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        var subscriber = _stream.Join(_play.Token, out var sequence, out var rtpTime);
        _sender = SendLoopAsync(subscriber, _play.Token);
        return (sequence, rtpTime);
    }

    /// <summary>Stops sending (PAUSE); PLAY starts again with the frame after.</summary>
    public async Task PauseAsync()
    {
        if (_play is not { } play)
        {
            return;
        }

        _play = null;
        await play.CancelAsync();
        if (_sender is { } sender)
        {
            await sender;
        }

        play.Dispose();
    }

    private async Task SendLoopAsync(FrameSubscriber subscriber, CancellationToken cancellation)
    {
        // Off the caller (the RTSP request's) thread: the PLAY response goes out before the first packet.
        await Task.Yield();
        using (subscriber)
        {
            try
            {
                while (true)
                {
                    var block = await subscriber.NextAsync();
                    if (block is null)
                    {
                        continue;
                    }

                    try
                    {
                        // The report goes before the frame it describes: its RTP time is this frame's, its NTP time
                        // the frame's capture (receivers such as ffmpeg take the first report's RTP time as time 0).
                        if (_lastReport == 0 || _time.GetElapsedTime(_lastReport).TotalSeconds >= ReportSeconds)
                        {
                            _lastReport = _time.GetTimestamp();
                            var rtpTime = BinaryPrimitives.ReadUInt32BigEndian(block.Span[(RtpJpegPacketizer.InterleavedPrefix + 4)..]);
                            await SendReportAsync(rtpTime, block.TimestampUs, cancellation);
                        }

                        var packets = CountPackets(block.Span, out var payload);
                        if (IsTcp)
                        {
                            await _connection.SendInterleavedAsync(block.Data, RtpChannel, cancellation);
                        }
                        else
                        {
                            SendUdp(block.Span);
                        }

                        Interlocked.Increment(ref _frames);
                        Interlocked.Add(ref _bytes, payload);
                        Interlocked.Add(ref _packets, packets);
                    }
                    finally
                    {
                        block.Release();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
            {
                _connection.Abort("sending failed: " + ex.Message);
            }
        }
    }

    private static int CountPackets(ReadOnlySpan<byte> block, out long payload)
    {
        var count = 0;
        payload = 0;
        var offset = 0;
        while (RtpJpegPacketizer.NextPacket(block, ref offset, out _, out var length))
        {
            count++;
            payload += length - RtpJpegPacketizer.RtpHeaderSize;
        }

        return count;
    }

    private void SendUdp(ReadOnlySpan<byte> block)
    {
        var offset = 0;
        while (RtpJpegPacketizer.NextPacket(block, ref offset, out var start, out var length))
        {
            try
            {
                _rtp!.Send(block.Slice(start, length));
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable)
            {
                // The client's port is not open (yet), or the socket buffer is full: the packet is lost, as UDP's are.
            }
        }
    }

    /// <summary>An RTCP sender report with the SDES CNAME (a compound packet, RFC 3550 6.4.1).</summary>
    private async Task SendReportAsync(uint rtpTime, long unixMicroseconds, CancellationToken cancellation)
    {
        var cname = Encoding.ASCII.GetBytes("mjpg_streamer");
        var sdesLength = (8 + 2 + cname.Length + 1 + 3) / 4 * 4;
        var report = new byte[28 + sdesLength];
        var ssrc = _stream.Ssrc;
        report[0] = 0x80;
        report[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(report.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(4), ssrc);
        var seconds = (ulong)(unixMicroseconds / 1_000_000) + 2208988800UL;
        var fraction = (ulong)(unixMicroseconds % 1_000_000) * (1UL << 32) / 1_000_000;
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(8), (uint)seconds);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(12), (uint)fraction);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(16), rtpTime);
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(20), (uint)Interlocked.Read(ref _packets));
        BinaryPrimitives.WriteUInt32BigEndian(report.AsSpan(24), (uint)Interlocked.Read(ref _bytes));
        var sdes = report.AsSpan(28);
        sdes[0] = 0x81;
        sdes[1] = 202;
        BinaryPrimitives.WriteUInt16BigEndian(sdes[2..], (ushort)((sdesLength / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(sdes[4..], ssrc);
        sdes[8] = 1;
        sdes[9] = (byte)cname.Length;
        cname.CopyTo(sdes[10..]);
        if (IsTcp)
        {
            await _connection.SendRtcpAsync(report, RtcpChannel, cancellation);
        }
        else
        {
            try
            {
                _rtcp!.Send(report);
            }
            catch (SocketException)
            {
            }
        }
    }

    /// <summary>Receiver reports (and BYE) from a UDP client: they keep the session alive.</summary>
    private async Task ReceiveRtcpAsync()
    {
        var buffer = new byte[1500];
        while (!_closing.IsCancellationRequested)
        {
            try
            {
                await _rtcp!.ReceiveAsync(buffer, SocketFlags.None, _closing.Token);
                _connection.Touch();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // An ICMP "port unreachable" for a report we sent: the client's RTCP port is not open.
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await PauseAsync();
        await _closing.CancelAsync();
        _rtp?.Dispose();
        _rtcp?.Dispose();
        if (_rtcpReceiver is { } receiver)
        {
            await receiver;
        }

        _closing.Dispose();
    }
}
