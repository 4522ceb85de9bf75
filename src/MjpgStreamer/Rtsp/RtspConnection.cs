using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.Rtsp;

/// <summary>
/// One RTSP client connection: reads requests (and the RTCP packets an interleaved client sends between them),
/// answers them, and owns the connection's one session (a single video track needs no more). Writes to the socket
/// (responses, interleaved RTP and RTCP) take turns on one lock. When the connection goes, its session goes with it.
/// </summary>
internal sealed class RtspConnection : IAsyncDisposable
{
    private const int MaxRequest = 8192;

    private readonly Socket _socket;
    private readonly RtspOutput _output;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly byte[] _buffer = new byte[MaxRequest];
    private RtspSession? _session;
    private long _lastActivity;
    private string? _closeReason;

    public RtspConnection(Socket socket, RtspOutput output, TimeProvider time)
    {
        _socket = socket;
        _output = output;
        _time = time;
        _lastActivity = time.GetTimestamp();
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        RemoteAddress = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        LocalAddress = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
        Remote = new IPEndPoint(RemoteAddress, remote.Port).ToString();
    }

    public string Remote { get; }

    public IPAddress RemoteAddress { get; }

    public IPAddress LocalAddress { get; }

    public RtspSession? Session => _session;

    /// <summary>Time since the client last showed it is there (a request, or RTCP).</summary>
    public TimeSpan Idle => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    public void Touch() => Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());

    /// <summary>Ends the connection from anywhere (a failed send, the timeout, shutdown) without waiting.</summary>
    public void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        try
        {
            _closing.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public async Task RunAsync()
    {
        var start = 0;
        var end = 0;
        var skip = 0;
        try
        {
            while (true)
            {
                // Bytes of an interleaved packet that did not fit: drop them as they come.
                if (skip > 0)
                {
                    var drop = Math.Min(skip, end - start);
                    skip -= drop;
                    start += drop;
                }

                if (skip == 0 && end > start)
                {
                    if (_buffer[start] == (byte)'$')
                    {
                        if (end - start < 4)
                        {
                            goto Read;
                        }

                        var channel = _buffer[start + 1];
                        var length = (_buffer[start + 2] << 8) | _buffer[start + 3];
                        if (_session is { IsTcp: true } session && channel == session.RtcpChannel)
                        {
                            Touch();
                        }

                        start += 4;
                        skip = length;
                        continue;
                    }

                    var headerEnd = _buffer.AsSpan(start, end - start).IndexOf("\r\n\r\n"u8);
                    if (headerEnd >= 0)
                    {
                        var request = RtspRequest.Parse(Encoding.UTF8.GetString(_buffer, start, headerEnd));
                        start += headerEnd + 4;
                        Touch();
                        if (request is null)
                        {
                            await RespondAsync(null, 400, "Bad Request", []);
                            Abort("bad request");
                            return;
                        }

                        skip = request.ContentLength;
                        await HandleAsync(request);
                        continue;
                    }

                    if (end - start >= _buffer.Length)
                    {
                        await RespondAsync(null, 400, "Bad Request", []);
                        Abort("request too long");
                        return;
                    }
                }

            Read:
                if (start > 0)
                {
                    _buffer.AsSpan(start, end - start).CopyTo(_buffer);
                    end -= start;
                    start = 0;
                }

                var read = await _socket.ReceiveAsync(_buffer.AsMemory(end), SocketFlags.None, _closing.Token);
                if (read == 0)
                {
                    Abort("disconnected");
                    return;
                }

                end += read;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            Abort("disconnected: " + ex.Message);
        }
    }

    public string CloseReason => _closeReason ?? "closed";

    private async Task HandleAsync(RtspRequest request)
    {
        if (request.CSeq is null)
        {
            await RespondAsync(request, 400, "Bad Request", []);
            return;
        }

        if (request.Method == "OPTIONS")
        {
            await RespondAsync(request, 200, "OK", ["Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER"]);
            return;
        }

        if (request.Method is not ("DESCRIBE" or "SETUP" or "PLAY" or "PAUSE" or "TEARDOWN" or "GET_PARAMETER"))
        {
            await RespondAsync(request, 501, "Not Implemented", []);
            return;
        }

        if (_output.Auth is { } auth && !auth.IsAuthorized(request.Method, request.Header("Authorization")))
        {
            _output.OnUnauthorized(this, request.Header("Authorization") is null);
            await RespondAsync(request, 401, "Unauthorized", auth.Challenges);
            return;
        }

        if (request.Method != "GET_PARAMETER" && !_output.MatchesPath(request.Uri))
        {
            await RespondAsync(request, 404, "Not Found", []);
            return;
        }

        switch (request.Method)
        {
            case "DESCRIBE":
                await DescribeAsync(request);
                break;
            case "SETUP":
                await SetupAsync(request);
                break;
            case "PLAY":
            case "PAUSE":
            case "TEARDOWN":
            case "GET_PARAMETER":
                await SessionRequestAsync(request);
                break;
        }
    }

    private async Task DescribeAsync(RtspRequest request)
    {
        var (width, height, fps) = await _output.ProbeAsync(_closing.Token);
        var baseUrl = request.Uri.EndsWith('/') ? request.Uri : request.Uri + "/";
        var sdp = new StringBuilder()
            .Append("v=0\r\n")
            .Append(CultureInfo.InvariantCulture, $"o=- {_output.Stream.Ssrc} 1 IN {(LocalAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4")} {LocalAddress}\r\n")
            .Append("s=MjpgStreamer\r\n")
            .Append("c=IN IP4 0.0.0.0\r\n")
            .Append("t=0 0\r\n")
            .Append("a=control:*\r\n")
            .Append("a=range:npt=0-\r\n")
            .Append("m=video 0 RTP/AVP 26\r\n")
            .Append("a=rtpmap:26 JPEG/90000\r\n")
            .Append("a=control:track0\r\n");
        if (fps > 0)
        {
            sdp.Append(CultureInfo.InvariantCulture, $"a=framerate:{fps}\r\n");
        }

        if (width > 0)
        {
            sdp.Append(CultureInfo.InvariantCulture, $"a=x-dimensions:{width},{height}\r\n");
        }

        await RespondAsync(request, 200, "OK", [$"Content-Base: {baseUrl}", "Content-Type: application/sdp"], sdp.ToString());
    }

    private async Task SetupAsync(RtspRequest request)
    {
        if (_session is not null)
        {
            // One track: a second SETUP (another transport) is not offered.
            await RespondAsync(request, 459, "Aggregate Operation Not Allowed", []);
            return;
        }

        var transport = RtspTransport.Choose(request.Header("Transport"));
        if (transport is null)
        {
            await RespondAsync(request, 461, "Unsupported Transport", []);
            return;
        }

        var ssrc = _output.Stream.Ssrc.ToString("X8", CultureInfo.InvariantCulture);
        RtspSession session;
        string reply;
        if (transport.Tcp)
        {
            session = RtspSession.OverTcp(this, _output.Stream, _time, transport.First);
            reply = $"RTP/AVP/TCP;unicast;interleaved={transport.First}-{transport.First + 1};ssrc={ssrc}";
        }
        else
        {
            var udp = RtspSession.OverUdp(this, _output.Stream, _time, LocalAddress, RemoteAddress, transport.First, transport.Second);
            if (udp is null)
            {
                await RespondAsync(request, 500, "Internal Server Error", []);
                return;
            }

            session = udp;
            reply = $"RTP/AVP;unicast;client_port={transport.First}-{transport.Second};server_port={udp.ServerRtpPort}-{udp.ServerRtpPort + 1};ssrc={ssrc}";
        }

        _session = session;
        await RespondAsync(request, 200, "OK", [$"Transport: {reply}", SessionHeader(session)]);
    }

    private async Task SessionRequestAsync(RtspRequest request)
    {
        var id = request.Header("Session")?.Split(';')[0].Trim();
        if (_session is not { } session || (id is not null && id != session.Id) || (id is null && request.Method != "GET_PARAMETER"))
        {
            if (request.Method == "GET_PARAMETER" && id is null)
            {
                await RespondAsync(request, 200, "OK", []);
                return;
            }

            await RespondAsync(request, 454, "Session Not Found", []);
            return;
        }

        switch (request.Method)
        {
            case "PLAY":
            {
                var wasPlaying = session.Playing;
                var (sequence, rtpTime) = session.Play();
                var headers = new List<string> { SessionHeader(session), "Range: npt=0.000-" };
                if (!wasPlaying)
                {
                    var trackUrl = (request.Uri.EndsWith('/') ? request.Uri : request.Uri + "/") + "track0";
                    if (request.Uri.EndsWith("track0", StringComparison.Ordinal))
                    {
                        trackUrl = request.Uri;
                    }

                    headers.Add(FormattableString.Invariant($"RTP-Info: url={trackUrl};seq={sequence};rtptime={rtpTime}"));
                    _output.OnPlaying(this, session);
                }

                await RespondAsync(request, 200, "OK", headers);
                break;
            }

            case "PAUSE":
                await session.PauseAsync();
                await RespondAsync(request, 200, "OK", [SessionHeader(session)]);
                break;

            case "TEARDOWN":
                _session = null;
                await session.DisposeAsync();
                _output.OnTeardown(this, session);
                await RespondAsync(request, 200, "OK", []);
                break;

            default:
                await RespondAsync(request, 200, "OK", [SessionHeader(session)]);
                break;
        }
    }

    private static string SessionHeader(RtspSession session) => $"Session: {session.Id};timeout={RtspOutput.SessionTimeoutSeconds}";

    private async Task RespondAsync(RtspRequest? request, int status, string reason, IEnumerable<string> headers, string? body = null)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"RTSP/1.0 {status} {reason}\r\n");
        if (request?.CSeq is { } cseq)
        {
            text.Append(CultureInfo.InvariantCulture, $"CSeq: {cseq}\r\n");
        }

        text.Append("Server: MjpgStreamer\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {_time.GetUtcNow():R}\r\n");
        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Length: {bodyBytes.Length}\r\n");
        }

        text.Append("\r\n");
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        await SendLockedAsync(bytes.Concat(bodyBytes).ToArray(), _closing.Token);
    }

    /// <summary>A packet block (laid out for channel 0) on <paramref name="channel"/>: one send when the channel is 0.</summary>
    public async ValueTask SendInterleavedAsync(ReadOnlyMemory<byte> block, int channel, CancellationToken cancellation)
    {
        if (channel == 0)
        {
            await SendLockedAsync(block, cancellation);
            return;
        }

        var copy = ArrayPool<byte>.Shared.Rent(block.Length);
        try
        {
            block.Span.CopyTo(copy);
            var offset = 0;
            while (Core.Rtp.RtpJpegPacketizer.NextPacket(copy.AsSpan(0, block.Length), ref offset, out var start, out _))
            {
                copy[start - 3] = (byte)channel;
            }

            await SendLockedAsync(copy.AsMemory(0, block.Length), cancellation);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public async ValueTask SendRtcpAsync(byte[] packet, int channel, CancellationToken cancellation)
    {
        var framed = new byte[4 + packet.Length];
        framed[0] = (byte)'$';
        framed[1] = (byte)channel;
        framed[2] = (byte)(packet.Length >> 8);
        framed[3] = (byte)packet.Length;
        packet.CopyTo(framed, 4);
        await SendLockedAsync(framed, cancellation);
    }

    private async ValueTask SendLockedAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        await _write.WaitAsync(cancellation);
        try
        {
            while (data.Length > 0)
            {
                var sent = await _socket.SendAsync(data, SocketFlags.None, _closing.Token);
                data = data[sent..];
            }
        }
        finally
        {
            _write.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort("closed");
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }

        _socket.Dispose();
        _closing.Dispose();
        _write.Dispose();
    }
}
