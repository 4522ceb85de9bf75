using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MjpgStreamer.Tools;

/// <summary>
/// Fetches and reads the server's GET /state. Failures become <see cref="ToolFailureException"/> with a one-line reason;
/// JSON is read with JsonDocument (no reflection, NativeAOT-safe) and fields it does not know are ignored.
/// </summary>
internal sealed class ServerStateClient : IDisposable
{
    /// <summary>A /state answer is a few hundred bytes per input; anything this big is not our server.</summary>
    private const int MaxAnswerBytes = 1024 * 1024;

    private readonly HttpClient _http;
    private readonly AuthenticationHeaderValue? _authorization;

    public ServerStateClient(Uri baseUrl, HttpMessageHandler? handler = null)
    {
        StateUrl = ResolveStateUrl(baseUrl);
        _authorization = BasicAuthorization(baseUrl);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }, disposeHandler: true)
        {
            // The caller's cancellation token carries the whole command's time limit.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxAnswerBytes,
        };
    }

    /// <summary>Where the state is read, without the user name and password (safe to print).</summary>
    public Uri StateUrl { get; }

    /// <summary>
    /// "state" relative to the base address, taken as a folder: http://host/webcam and http://host/webcam/ both give
    /// http://host/webcam/state (a proxy prefix is usually written without the final slash); query, fragment and
    /// user:pass are dropped.
    /// </summary>
    public static Uri ResolveStateUrl(Uri baseUrl) => ResolveBelow(baseUrl, "state");

    /// <summary>
    /// <paramref name="relative"/> ("state", "?action=still") against the base address taken as a folder, without
    /// the base's query, fragment and user:pass.
    /// </summary>
    public static Uri ResolveBelow(Uri baseUrl, string relative)
    {
        var builder = new UriBuilder(baseUrl) { UserName = "", Password = "", Query = "", Fragment = "" };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return new Uri(builder.Uri, relative);
    }

    /// <summary>Basic authorisation from the user:pass of the address (percent-escapes decoded), or null without one.</summary>
    public static AuthenticationHeaderValue? BasicAuthorization(Uri baseUrl)
    {
        if (baseUrl.UserInfo.Length == 0)
        {
            return null;
        }

        var colon = baseUrl.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? baseUrl.UserInfo : baseUrl.UserInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(baseUrl.UserInfo[(colon + 1)..]);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    public async Task<IReadOnlyList<InputStatus>> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, StateUrl);
        request.Headers.Authorization = _authorization;
        string body;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new ToolFailureException(UnauthorizedMessage(StateUrl, _authorization is not null));
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                var hint = response.StatusCode == HttpStatusCode.NotFound
                    ? "; is --url the server's base address, and is that server a version with /state?"
                    : "";
                throw new ToolFailureException(
                    $"{StateUrl} answered {(int)response.StatusCode} {ToolText.OneLine(response.ReasonPhrase ?? "")}{hint}");
            }

            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ToolFailureException($"cannot get {StateUrl} ({DescribeRequestError(e)}); is mjpg_streamer running there?");
        }

        return Parse(body, StateUrl);
    }

    /// <summary>Reads the inputs of a /state answer; an input without "id" gets its place in the list.</summary>
    public static IReadOnlyList<InputStatus> Parse(string json, Uri source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("inputs", out var inputs)
                || inputs.ValueKind != JsonValueKind.Array)
            {
                throw new ToolFailureException($"{source} answered JSON without an \"inputs\" list; is --url an mjpg_streamer server?");
            }

            var list = new List<InputStatus>();
            foreach (var input in inputs.EnumerateArray())
            {
                var index = list.Count;
                if (input.ValueKind != JsonValueKind.Object
                    || !input.TryGetProperty("state", out var state)
                    || state.ValueKind != JsonValueKind.String)
                {
                    throw new ToolFailureException($"{source} answered an input without a \"state\" (input {index})");
                }

                var id = input.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt32(out var number) ? number : index;
                list.Add(new InputStatus(id, OptionalString(input, "plugin"), state.GetString()!, OptionalString(input, "reason"), OptionalString(input, "pause_source")));
            }

            return list;
        }
        catch (JsonException e)
        {
            throw new ToolFailureException($"{source} did not answer valid JSON ({ToolText.OneLine(e.Message)})");
        }
    }

    public void Dispose() => _http.Dispose();

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>What a 401 means: credentials missing from --url, or wrong ones (never printed).</summary>
    internal static string UnauthorizedMessage(Uri url, bool hadCredentials) => hadCredentials
        ? $"{url} refused the user name and password given in --url (401 Unauthorized)"
        : $"{url} needs a user name and password (401 Unauthorized); give them in --url, like http://user:pass@{url.Authority}/";

    /// <summary>The socket's own words ("Connection refused") rather than .NET's wrapper sentence.</summary>
    internal static string DescribeRequestError(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return ToolText.OneLine(socket.Message);
            }
        }

        return ToolText.OneLine(e.InnerException?.Message ?? e.Message);
    }
}
