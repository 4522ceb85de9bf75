using System.Text;
using System.Text.Json;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// "Meets the wire contract": the same status, the same header names (case-insensitive) and values, the same
/// body (JSON: same document), and the same multipart framing. Free to differ: the status-line version, a
/// Date header and header order. Content-Length is an improvement on snapshots. No Transfer-Encoding: bodies
/// are plain and end with the connection, for HTTP/1.1 requests too, as the original's.
/// </summary>
public static class WireContract
{
    private static readonly HashSet<string> FreeHeaders = new(StringComparer.OrdinalIgnoreCase) { "Date" };

    public enum Body
    {
        Exact,
        Json,
        Jpeg,
        Multipart,
        Ignore,
    }

    public static void AssertMatches(byte[] originalRaw, byte[] ourRaw, Body body, Func<string, string>? normalize = null, params string[] extraHeadersAllowed)
    {
        var original = HttpResponse.Parse(originalRaw);
        var ours = HttpResponse.Parse(ourRaw);
        Assert.Equal(original.Status, ours.Status);
        Assert.Equal(original.StatusLine.Split(' ', 2)[1], ours.StatusLine.Split(' ', 2)[1]);

        foreach (var (name, value) in original.Headers)
        {
            var mine = ours.Header(name);
            Assert.True(mine is not null, $"header {name} is missing");
            if (name.Equals("X-Timestamp", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Matches(@"^\d+\.\d{6}$", mine);
            }
            else
            {
                Assert.Equal(value, mine);
            }
        }

        foreach (var (name, _) in ours.Headers)
        {
            var allowed = FreeHeaders.Contains(name) || original.Header(name) is not null
                || extraHeadersAllowed.Contains(name, StringComparer.OrdinalIgnoreCase);
            Assert.True(allowed, $"unexpected header {name}");
        }

        switch (body)
        {
            case Body.Exact:
                Assert.Equal(Encoding.UTF8.GetString(original.Body), normalize?.Invoke(ours.BodyText) ?? ours.BodyText);
                break;
            case Body.Json:
                AssertSameJson(Encoding.UTF8.GetString(original.Body), normalize?.Invoke(ours.BodyText) ?? ours.BodyText);
                break;
            case Body.Jpeg:
                AssertJpeg(ours.Body);
                if (ours.Header("Content-Length") is { } length)
                {
                    Assert.Equal(ours.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), length);
                }

                break;
            case Body.Multipart:
                var parts = Multipart.Parse(ours.Body);
                Assert.NotEmpty(parts);
                foreach (var part in parts)
                {
                    AssertJpeg(part.Jpeg);
                }

                break;
        }
    }

    public static void AssertJpeg(byte[] data)
    {
        Assert.True(data.Length > 100, $"a JPEG of {data.Length} bytes");
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, data[..2]);
        Assert.Equal(new byte[] { 0xFF, 0xD9 }, data[^2..]);
    }

    public static void AssertSameJson(string expected, string actual)
    {
        using var a = JsonDocument.Parse(expected);
        using var b = JsonDocument.Parse(actual);
        Assert.Equal(Canonical(a.RootElement), Canonical(b.RootElement));
    }

    private static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => JsonSerializer.Serialize(p.Name, TestJson.Default.String) + ":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Canonical)) + "]",
        _ => element.GetRawText(),
    };
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class TestJson : System.Text.Json.Serialization.JsonSerializerContext;
