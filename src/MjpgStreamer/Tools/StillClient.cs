using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MjpgStreamer.Core.Mjpeg;

namespace MjpgStreamer.Tools;

/// <summary>
/// GET {base}?action=still[_N]: the server's full-resolution still. The address and the login come from --url exactly
/// as for /state (<see cref="ServerStateClient"/>); every failure is a <see cref="ToolFailureException"/> with one line.
/// </summary>
internal sealed class StillClient : IDisposable
{
    /// <summary>A 12 MP JPEG is a few MB; this much is not a still.</summary>
    internal const int MaxStillBytes = 64 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _authorization;

    public StillClient(Uri baseUrl, int? input, HttpMessageHandler? handler = null)
    {
        StillUrl = ResolveStillUrl(baseUrl, input);
        _authorization = ServerStateClient.BasicAuthorization(baseUrl);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxStillBytes,
        };
    }

    /// <summary>Where the still is asked, without user name and password.</summary>
    public Uri StillUrl { get; }

    /// <summary>"?action=still" below the base address; "?action=still_N" for --input N.</summary>
    public static Uri ResolveStillUrl(Uri baseUrl, int? input) =>
        ServerStateClient.ResolveBelow(baseUrl, input is { } n ? $"?action=still_{n.ToString(CultureInfo.InvariantCulture)}" : "?action=still");

    /// <summary>The JPEG; <paramref name="cancellationToken"/> carries the time limit and signals.</summary>
    public async Task<byte[]> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, StillUrl);
        request.Headers.Authorization = _authorization;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new ToolFailureException(ServerStateClient.UnauthorizedMessage(StillUrl, _authorization is not null));
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var said = TextOf(body);
                var hint = response.StatusCode == HttpStatusCode.NotFound
                    ? "; is --url the server's base address, and is that server a version with ?action=still?"
                    : "";
                throw new ToolFailureException(
                    $"{StillUrl} answered {(int)response.StatusCode} {ToolText.OneLine(response.ReasonPhrase ?? "")}{(said.Length > 0 ? ": " + said : "")}{hint}");
            }

            if (!JpegInfo.HasSoiAndEoi(body))
            {
                var type = response.Content.Headers.ContentType?.MediaType ?? "no Content-Type";
                throw new ToolFailureException($"{StillUrl} answered 200 but not a JPEG ({body.Length} bytes, {type})");
            }

            return body;
        }
        catch (HttpRequestException e)
        {
            throw new ToolFailureException(e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded
                ? $"{StillUrl} answered more than {MaxStillBytes / (1024 * 1024)} MB; that is not a still"
                : $"cannot get {StillUrl} ({ServerStateClient.DescribeRequestError(e)}); is mjpg_streamer running there?");
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The server's one-line reason from a text body, shortened; nothing for a binary or empty one.</summary>
    private static string TextOf(byte[] body)
    {
        if (body.Length == 0 || Array.IndexOf(body, (byte)0) >= 0)
        {
            return "";
        }

        var text = ToolText.OneLine(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 1000)));
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
