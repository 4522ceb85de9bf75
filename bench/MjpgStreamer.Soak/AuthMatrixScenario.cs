using System.Text;

namespace MjpgStreamer.Soak;

/// <summary>
/// h. -c user:pw: every route × GET, HEAD, POST × Authorization variants. Only the right credentials get past
/// (the header name is case-insensitive, as in mjpg-streamer), and they are never answered 401 or 500; every
/// other variant is answered 401.
/// </summary>
public static class AuthMatrixScenario
{
    private const string User = "user";
    private const string Password = "pw";

    private static readonly (string Name, string Target)[] Routes =
    [
        ("stream", "/?action=stream"),
        ("snapshot", "/?action=snapshot"),
        ("input.json", "/input.json"),
        ("output.json", "/output.json"),
        ("program.json", "/program.json"),
        ("state", "/state"),
        ("command", "/?action=command&dest=0&plugin=0&id=1&group=1&value=1"),
        ("pause", "/?action=pause"),
        ("resume", "/?action=resume"),
        ("static file", "/page.html"),
        ("index", "/"),
    ];

    private static readonly string[] Methods = ["GET", "HEAD", "POST"];

    /// <summary>The variants: name, header line (or null for none), whether they carry the right credentials.</summary>
    public static IReadOnlyList<(string Name, string? Header, bool Right)> Variants { get; } =
    [
        ("none", null, false),
        ("wrong password", "Authorization: Basic " + Base64($"{User}:wrong"), false),
        ("right", "Authorization: Basic " + Base64($"{User}:{Password}"), true),
        ("right, lowercase header name", "authorization: Basic " + Base64($"{User}:{Password}"), true),
        ("Basic without value", "Authorization: Basic", false),
        ("garbage base64", "Authorization: Basic !!!%%%***", false),
        ("other scheme", "Authorization: Bearer " + Base64($"{User}:{Password}"), false),
        ("wrong user", "Authorization: Basic " + Base64($"someone:{Password}"), false),
        ("no colon", "Authorization: Basic " + Base64(User + Password), false),
    ];

    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("h. auth matrix");
        await using var server = await SoakServer.StartAsync(
            options.Executable,
            [options.TestPattern],
            $"-c {User}:{Password} -w {{folder}}/www",
            prepare: folder =>
            {
                Directory.CreateDirectory(Path.Combine(folder, "www"));
                File.WriteAllText(Path.Combine(folder, "www", "page.html"), "<p>soak</p>\n");
                File.WriteAllText(Path.Combine(folder, "www", "index.html"), "<p>index</p>\n");
                return null;
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var sampler = new ProcessSampler(server.Pid);
        var cells = 0;
        foreach (var (route, target) in Routes)
        {
            foreach (var method in Methods)
            {
                foreach (var (variant, header, right) in Variants)
                {
                    var headers = new List<string> { "Connection: close" };
                    if (header is not null)
                    {
                        headers.Add(header);
                    }

                    if (method == "POST")
                    {
                        headers.Add("Content-Length: 0");
                    }

                    cells++;
                    result.CountRequest();
                    var answer = await RawHttp.ExchangeAsync(server.Port, RawHttp.Request(method, target, [.. headers]), TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
                    var cell = $"{method} {route} ({target}), {variant}";
                    if (answer.Outcome != ExchangeOutcome.Answered)
                    {
                        result.Fail($"{cell}: {answer.Outcome}");
                    }
                    else if (right && answer.Status is 401 or 500)
                    {
                        result.Fail($"{cell}: {answer.Status} with the right credentials");
                    }
                    else if (!right && answer.Status != 401)
                    {
                        result.Fail($"{cell}: {answer.Status}, 401 expected");
                    }
                }
            }
        }

        Scenario.CheckAlive(server, result);
        result.Work = $"{Routes.Length} routes × {Methods.Length} methods × {Variants.Count} variants = {cells}";
        result.Finish(sampler);
        return result;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
