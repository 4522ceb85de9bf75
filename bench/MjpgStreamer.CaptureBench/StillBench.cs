using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// `still`: how long ?action=still takes (request sent → last byte of the JPEG) and what the stream's
/// client misses meanwhile: the longest time between two live camera frames around each still, and the
/// camera frames it never got (the fake numbers its frames; the still's own frames are counted too, since
/// they share the numbering).
/// </summary>
internal static class StillBench
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StillBound = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(StillCommand command, TextWriter output, TextWriter error)
    {
        var library = Environment.GetEnvironmentVariable(CaptureBench.V4l2LibraryVariable);
        if (string.IsNullOrEmpty(library) || !Path.IsPathFullyQualified(library) || !File.Exists(library))
        {
            await error.WriteLineAsync($"error: still needs {CaptureBench.V4l2LibraryVariable}=/abs/path/libfakecam.so (make -C tests/native/fakecam; see docs/testing.md)").ConfigureAwait(false);
            return 1;
        }

        var folder = Directory.CreateTempSubdirectory("mjpg-stillbench-");
        var device = Path.Combine(folder.FullName, "video0");
        var args = command.ServerArgs(device);
        await output.WriteLineAsync($"server: {command.Exe} {CaptureBenchProgram.CommandLineText(args)}").ConfigureAwait(false);
        ServerUnderTest? server = null;
        PauseStreamClient? client = null;
        try
        {
            server = ServerUnderTest.Start(command.Exe, args, PauseBench.ServerEnvironment(library, device));
            var port = await server.WaitForPortAsync(StartBound, CancellationToken.None).ConfigureAwait(false)
                ?? throw new PauseBenchException("the server printed no \"listening on\" line");
            client = await PauseStreamClient.ConnectAsync(port, CancellationToken.None).ConfigureAwait(false);
            if (!client.WaitForPart(StartBound, CancellationToken.None))
            {
                throw new PauseBenchException("no stream frame");
            }

            await Task.Delay(1000).ConfigureAwait(false);
            var latencies = new List<double>();
            var gaps = new List<double>();
            var missed = new List<double>();
            var sizes = new HashSet<string>();
            long bytes = 0;
            for (var i = 0; i < command.Stills + 1; i++)
            {
                var (countBefore, _) = client.Mark();
                var started = Stopwatch.GetTimestamp();
                var jpeg = await GetStillAsync(port).ConfigureAwait(false);
                var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await Task.Delay(command.IntervalMs).ConfigureAwait(false);
                if (i == 0)
                {
                    continue; // warm-up
                }

                latencies.Add(latency);
                bytes += jpeg.Length;
                sizes.Add(SofSize(jpeg));
                var (gap, lost) = Around(client.Parts().AsSpan(Math.Max(0, countBefore - 1)));
                gaps.Add(gap);
                missed.Add(lost);
            }

            var frameMs = 1000.0 / command.Fps;
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"{command.Stills} stills (after 1 warm-up), {command.IntervalMs} ms apart; stream {command.Width}x{command.Height} at {command.Fps} fps (a frame every {frameMs:F1} ms); still size {string.Join(", ", sizes)}, {bytes / Math.Max(1, latencies.Count)} bytes on average");
            text.AppendLine("measure                                        p50      p90      max");
            Row(text, "still: request -> JPEG received (ms)", latencies);
            Row(text, "stream: longest gap between live frames (ms)", gaps);
            Row(text, "stream: camera frames the client missed", missed);
            var connected = !client.Completion.IsCompleted;
            text.AppendLine(CultureInfo.InvariantCulture, $"stream client still connected: {(connected ? "yes" : "NO")}; server warnings/errors {server.Problems.Warnings}/{server.Problems.Errors}");
            await output.WriteAsync(text.ToString()).ConfigureAwait(false);
            return connected ? 0 : 1;
        }
        catch (Exception ex) when (ex is PauseBenchException or IOException or SocketException or TimeoutException)
        {
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        finally
        {
            client?.Dispose();
            if (server is not null)
            {
                await server.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                await server.DisposeAsync().ConfigureAwait(false);
            }

            folder.Delete(recursive: true);
        }
    }

    private static void Row(StringBuilder text, string name, List<double> values)
    {
        var span = values.ToArray().AsSpan();
        text.AppendLine(CultureInfo.InvariantCulture, $"{name,-44} {Samples.Median(span),8:F1} {Samples.Percentile(span, 90),8:F1} {values.Max(),8:F1}");
    }

    /// <summary>Over the parts around one still: the longest time between two new camera frames, and the frame numbers skipped.</summary>
    internal static (double GapMs, double Missed) Around(ReadOnlySpan<StreamPart> parts)
    {
        double gap = 0;
        double missed = 0;
        StreamPart? previous = null;
        foreach (var part in parts)
        {
            if (part.Frame < 0 || (previous is { } p && part.Frame <= p.Frame))
            {
                continue; // a repeated frame (keep-alive) or not the camera's
            }

            if (previous is { } last)
            {
                gap = Math.Max(gap, Stopwatch.GetElapsedTime(last.Arrival, part.Arrival).TotalMilliseconds);
                missed += part.Frame - last.Frame - 1;
            }

            previous = part;
        }

        return (gap, missed);
    }

    private static async Task<byte[]> GetStillAsync(int port)
    {
        using var tcp = new TcpClient();
        using var bound = new CancellationTokenSource(StillBound);
        await tcp.ConnectAsync("127.0.0.1", port, bound.Token).ConfigureAwait(false);
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /?action=still HTTP/1.0\r\n\r\n"u8.ToArray(), bound.Token).ConfigureAwait(false);
        using var all = new MemoryStream();
        await stream.CopyToAsync(all, bound.Token).ConfigureAwait(false);
        var response = all.ToArray();
        var head = response.AsSpan().IndexOf("\r\n\r\n"u8);
        var status = Encoding.ASCII.GetString(response, 0, Math.Max(0, Math.Min(response.Length, 15)));
        if (head < 0 || !status.Contains(" 200", StringComparison.Ordinal))
        {
            throw new PauseBenchException($"?action=still answered: {Encoding.ASCII.GetString(response, 0, Math.Min(response.Length, 200))}");
        }

        return response[(head + 4)..];
    }

    private static string SofSize(byte[] jpeg)
    {
        var pos = 2;
        while (pos + 9 <= jpeg.Length && jpeg[pos] == 0xFF)
        {
            if (jpeg[pos + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{(jpeg[pos + 7] << 8) | jpeg[pos + 8]}x{(jpeg[pos + 5] << 8) | jpeg[pos + 6]}");
            }

            pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
        }

        return "?";
    }
}
