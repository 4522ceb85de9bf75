using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Core.Frames;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// input_http.so: relays another MJPEG server's stream (ours, the original mjpg-streamer, ustreamer, an IP
/// camera) as this server's input. A small HTTP/1.1 client on a plain socket (no HttpClient: it would add
/// to the NativeAOT executable for nothing we need): one GET, Basic auth from the URL, the body read up to
/// the close, by Content-Length or de-chunked, the parts by <see cref="MjpegStreamReader"/> with the
/// boundary the response's Content-Type names. When the upstream is away (refused, an HTTP error, no frame
/// within -timeout, the stream ended) the input reports no_signal with the reason, clients get the NO SIGNAL
/// picture about once a second, and it reconnects after 1 s, 2 s, 4 s … at most 10 s. The pause cancels the
/// run, which closes the socket.
/// </summary>
public sealed partial class HttpSource : IFrameSource
{
    public const string Name = "input_http.so";

    private const string PluginDisplayName = "HTTP Input plugin";

    private readonly MjpegFramePump _pump = new();
    private readonly PlaceholderFrames _placeholders = new();
    private readonly byte[] _request;
    private readonly string _shownUrl;
    private int _width = 640;
    private int _height = 480;
    private long _connections;

    public HttpSource(UpstreamUrl url, int timeoutSeconds = 5)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutSeconds, 1);
        Url = url;
        Timeout = TimeSpan.FromSeconds(timeoutSeconds);
        _request = url.BuildRequest();
        _shownUrl = url.ToString();
    }

    /// <summary>The plugin descriptor: parse its words with <see cref="PluginOptionParser"/>, then call <see cref="InputPlugin.Create"/>.</summary>
    public static InputPlugin Plugin { get; } = new(
        Name,
        PluginDisplayName,
        [
            new OptionSpec("H", true, "H", "host"),
            new OptionSpec("p", true, "p", "port"),
            new OptionSpec("u", true, "u", "url"),
            new OptionSpec("timeout", true, "timeout"),
        ],
        PluginHelp.Format(
            "input",
            PluginDisplayName,
            ("[-H | --host ]", "host of the mjpg-streamer to relay, default localhost\n(requests /?action=stream)"),
            ("[-p | --port ]", "its port, default 8080"),
            ("[-u | --url ]", "instead of -H and -p: any MJPEG URL,\nhttp://[user:pass@]host[:port]/path?query\n(Basic auth; any multipart boundary; chunked bodies);\na URL that answers one JPEG is fetched once a second"),
            ("[-timeout ]", "seconds without a frame before the upstream counts as\nlost (then reconnected), default 5, at least 1")),
        Create)
    {
        Summary = "relays another MJPEG server (-H HOST -p PORT, or -u URL)",
    };

    public string DisplayName => PluginDisplayName;

    /// <summary>Where the frames come from.</summary>
    public UpstreamUrl Url { get; }

    /// <summary>How long the upstream may stay silent (connect, answer, next frame) before it counts as lost.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>First reconnect delay; doubles per failed try up to <see cref="MaxBackoff"/>.</summary>
    internal TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    internal TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames dropped as malformed, truncated or too large, over all connections.</summary>
    public long CorruptFrames => _pump.CorruptFrames;

    /// <summary>How many connections were made (TCP connected), over all runs.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public static HttpSource Create(ParsedOptions options, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        var timeout = Math.Max(1, options.GetInt("timeout", 5, 0, 3600));
        if (options.Get("u") is { } url)
        {
            if (options.Has("H") || options.Has("p"))
            {
                throw new UsageException($"{Name}: -u gives the whole URL; leave out -H and -p");
            }

            return new HttpSource(UpstreamUrl.Parse(url), timeout);
        }

        var host = options.Get("H") is { Length: > 0 } h ? h : "localhost";
        return new HttpSource(UpstreamUrl.FromHostAndPort(host, options.GetInt("p", 8080, 1, 65535)), timeout);
    }

    public async Task RunAsync(SourceContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Every wait is bounded: a connection by -timeout per step, a backoff by MaxBackoff (placeholders each second).
        context.BeatWithin = (3 * Timeout) + MaxBackoff;
        var backoff = InitialBackoff;
        while (!cancellation.IsCancellationRequested)
        {
            string? reason;
            bool gotFrames;
            try
            {
                (reason, gotFrames) = await ConnectionAsync(context, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A bug or an unexpected OS error must not take the server down: treat it like a lost upstream.
                Log.RunFailed(context.Logger, _shownUrl, ex);
                (reason, gotFrames) = ($"{Url.Authority}: {ex.Message}", false);
            }

            if (cancellation.IsCancellationRequested)
            {
                break;
            }

            if (gotFrames)
            {
                backoff = InitialBackoff;
            }

            if (reason is null)
            {
                // A URL that answers one JPEG (a snapshot URL): fetched again each InitialBackoff, still streaming.
                try
                {
                    await Task.Delay(InitialBackoff, context.Time, cancellation).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            if (context.State != InputState.NoSignal || context.Reason != reason)
            {
                Log.Lost(context.Logger, _shownUrl, reason, backoff.TotalSeconds);
            }

            context.SetState(InputState.NoSignal, reason);
            try
            {
                await WaitWithPlaceholdersAsync(context, reason, backoff, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>The upstream is away: a NO SIGNAL picture with the reason now and about once a second, until the next try.</summary>
    private Task WaitWithPlaceholdersAsync(SourceContext context, string reason, TimeSpan wait, CancellationToken cancellation) =>
        _placeholders.PublishWhileWaitingAsync(context, "NO SIGNAL", reason, _width, _height, wait, cancellation);

    /// <summary>
    /// One connection, from connect to close. Returns why it ended (for the no_signal state; null when the answer
    /// was one whole JPEG, not a stream) and whether any frame came.
    /// </summary>
    private async Task<(string? Reason, bool GotFrames)> ConnectionAsync(SourceContext context, CancellationToken cancellation)
    {
        var authority = Url.Authority;
        var seconds = Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        using var silence = new CancellationTokenSource(Timeout, context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, silence.Token);
        var token = linked.Token;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var frames = 0L;
        try
        {
            try
            {
                await socket.ConnectAsync(new DnsEndPoint(Url.Host, Url.Port), token).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                return ($"cannot connect to {authority}: {ex.Message}", false);
            }

            Interlocked.Increment(ref _connections);
            await using var network = new NetworkStream(socket, ownsSocket: false);
            await network.WriteAsync(_request, token).ConfigureAwait(false);
            var response = new HttpResponseStream(network);
            await response.ReadHeadAsync(token).ConfigureAwait(false);
            if (response.StatusCode != 200)
            {
                return (DescribeStatus(response), false);
            }

            if (context.State != InputState.Streaming)
            {
                // Once per return of the upstream, not per fetch of a snapshot URL.
                Log.Connected(context.Logger, _shownUrl, response.ContentType);
            }

            silence.CancelAfter(Timeout);
            await _pump.PumpAsync(
                context,
                response,
                frame =>
                {
                    // The picture's size, for NO SIGNAL pictures of the same size later.
                    if (frames++ == 0 && JpegInfo.TryReadSize(frame.Span, out var width, out var height))
                    {
                        (_width, _height) = (width, height);
                    }

                    silence.CancelAfter(Timeout);
                },
                token,
                response.Boundary).ConfigureAwait(false);
            var singleImage = frames == 1 && !response.ContentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);
            return (singleImage ? null : $"{authority} ended the stream", frames > 0);
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            return (frames > 0 || socket.Connected ? $"no frame from {authority} for {seconds} s" : $"no connection to {authority} within {seconds} s", frames > 0);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
        {
            var message = ex.InnerException is SocketException inner ? inner.Message : ex.Message;
            return ($"{authority}: {message}", frames > 0);
        }
    }

    private string DescribeStatus(HttpResponseStream response)
    {
        var status = $"{Url.Authority} answered {response.StatusCode.ToString(CultureInfo.InvariantCulture)} {LogText.Escape(response.ReasonPhrase)}".TrimEnd();
        return response.StatusCode switch
        {
            401 when Url.User is null => status + " (it needs a user and password: -u http://user:pass@...)",
            401 => status + " (wrong user or password)",
            _ => status,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.HttpSourceConnected, Level = LogLevel.Information, Message = "input_http: relaying {Url} ({ContentType})")]
        public static partial void Connected(ILogger logger, string url, string contentType);

        [LoggerMessage(EventId = LogEvents.HttpSourceLost, Level = LogLevel.Warning, Message = "input_http: {Url}: {Reason}; trying again in {Seconds} s")]
        public static partial void Lost(ILogger logger, string url, string reason, double seconds);

        [LoggerMessage(EventId = LogEvents.HttpSourceRunFailed, Level = LogLevel.Error, Message = "input_http: relaying {Url} failed unexpectedly")]
        public static partial void RunFailed(ILogger logger, string url, Exception exception);
    }
}
