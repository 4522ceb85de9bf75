using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.LoadClient;

/// <summary>
/// The RTSP side of a <see cref="StreamClient"/> (--rtsp): DESCRIBE, SETUP with RTP/AVP/TCP interleaved=0-1, PLAY, then
/// counts frames by the RTP marker bit on channel 0 and bytes as received. Latency comes from the RTCP sender reports on
/// channel 1 (their NTP time and RTP time map a frame's RTP time to its capture time); frames before the first report
/// have none. A GET_PARAMETER every 30 s keeps the session alive.
/// </summary>
internal sealed class RtspReceiver(StreamClient client, Socket socket, Uri url)
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(StreamClient.ReceiveBufferSize, pinned: true);
    private int _filled;
    private int _cseq;
    private string? _session;
    private bool _haveReport;
    private long _reportUnixUs;
    private uint _reportRtpTime;

    public async Task RunAsync(CancellationToken stop)
    {
        var baseUrl = url.ToString().TrimEnd('/');
        if (await RequestAsync("DESCRIBE", baseUrl, "Accept: application/sdp\r\n", stop).ConfigureAwait(false) != 200
            || await RequestAsync("SETUP", baseUrl + "/track0", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n", stop).ConfigureAwait(false) != 200
            || _session is null
            || await RequestAsync("PLAY", baseUrl + "/", $"Session: {_session}\r\nRange: npt=0.000-\r\n", stop).ConfigureAwait(false) != 200)
        {
            return;
        }

        client.MarkAnswered();
        var lastKeepAlive = client.Time.GetTimestamp();
        var start = 0;
        while (true)
        {
            // Whole interleaved packets in the buffer; RTSP answers (to the keep-alives) are skipped.
            var receivedUs = Timestamp.ToUnixMicroseconds(client.Time.GetUtcNow());
            while (_filled - start >= 4)
            {
                if (_buffer[start] != (byte)'$')
                {
                    var end = _buffer.AsSpan(start, _filled - start).IndexOf("\r\n\r\n"u8);
                    if (end < 0)
                    {
                        break;
                    }

                    start += end + 4;
                    continue;
                }

                var length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(start + 2));
                if (_filled - start < 4 + length)
                {
                    break;
                }

                Packet(_buffer[start + 1], _buffer.AsSpan(start + 4, length), receivedUs);
                start += 4 + length;
            }

            _buffer.AsSpan(start, _filled - start).CopyTo(_buffer);
            _filled -= start;
            start = 0;
            if (client.Time.GetElapsedTime(lastKeepAlive) > KeepAlive)
            {
                lastKeepAlive = client.Time.GetTimestamp();
                await SendAsync("GET_PARAMETER", baseUrl + "/", $"Session: {_session}\r\n", stop).ConfigureAwait(false);
            }

            var received = await socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, stop).ConfigureAwait(false);
            if (received == 0)
            {
                if (!client.Phase.IsDone)
                {
                    client.Fail("stream broke: the server closed the connection");
                }

                return;
            }

            if (client.Phase.IsMeasuring)
            {
                client.AddBytes(received);
            }

            _filled += received;
        }
    }

    private void Packet(byte channel, ReadOnlySpan<byte> packet, long receivedUs)
    {
        if (channel == 1 && packet.Length >= 28 && packet[1] == 200)
        {
            var seconds = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
            var fraction = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
            _reportUnixUs = ((seconds - 2208988800L) * 1_000_000) + (long)(fraction * 1_000_000UL >> 32);
            _reportRtpTime = BinaryPrimitives.ReadUInt32BigEndian(packet[16..]);
            _haveReport = true;
            return;
        }

        if (channel != 0 || packet.Length < 12 || (packet[1] & 0x80) == 0 || !client.Phase.IsMeasuring)
        {
            return;
        }

        var rtpTime = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        var captureUs = _haveReport ? _reportUnixUs + ((long)unchecked((int)(rtpTime - _reportRtpTime)) * 100 / 9) : 0;
        client.CountFrame(receivedUs, captureUs);
    }

    private async Task SendAsync(string method, string target, string headers, CancellationToken stop)
    {
        var request = $"{method} {target} RTSP/1.0\r\nCSeq: {++_cseq}\r\nUser-Agent: MjpgStreamer.LoadClient\r\n{headers}\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, stop).ConfigureAwait(false);
    }

    /// <summary>Sends a request and reads its answer (head and body); returns the status, 0 when the connection ended.</summary>
    private async Task<int> RequestAsync(string method, string target, string headers, CancellationToken stop)
    {
        await SendAsync(method, target, headers, stop).ConfigureAwait(false);
        while (true)
        {
            var end = _buffer.AsSpan(0, _filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(_buffer, 0, end);
                var length = 0;
                var status = 0;
                foreach (var line in head.Split("\r\n"))
                {
                    if (line.StartsWith("RTSP/1.0 ", StringComparison.Ordinal))
                    {
                        _ = int.TryParse(line.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out status);
                    }
                    else if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        _ = int.TryParse(line.AsSpan(15).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out length);
                    }
                    else if (line.StartsWith("Session:", StringComparison.OrdinalIgnoreCase))
                    {
                        _session = line[8..].Split(';')[0].Trim();
                    }
                }

                var total = end + 4 + length;
                if (_filled >= total)
                {
                    _buffer.AsSpan(total, _filled - total).CopyTo(_buffer);
                    _filled -= total;
                    if (status != 200)
                    {
                        client.Fail($"{method} answered {status}");
                    }

                    return status;
                }
            }

            var received = await socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, stop).ConfigureAwait(false);
            if (received == 0)
            {
                client.Fail($"the server closed the connection before answering {method}");
                return 0;
            }

            _filled += received;
        }
    }
}
