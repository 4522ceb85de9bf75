using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Observability;

/// <summary>D8: request bytes reach the log escaped, so a request cannot move the terminal's cursor or forge a log line.</summary>
public sealed class LogInjectionTests
{
    [Fact]
    public async Task Control_characters_in_a_request_target_are_logged_escaped_on_one_line()
    {
        await using var server = await ServerProcess.StartAsync(
            ["-i", "input_testpattern.so -r 160x120 -f 5", "-o", "output_http.so -p 0 -l 127.0.0.1"],
            environment: new Dictionary<string, string> { ["MJPG_STREAMER_DEBUG"] = "1" });

        // Kestrel takes ESC, CR, BS, BEL and DEL inside a request target (a space or an LF would end the target).
        var target = "/?action=stream&x=\u001b[2J\u001b[31m\r06:00:00.000_warn:_forged[1]_evil\b\u0007\u007f";
        var request = Encoding.Latin1.GetBytes($"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        var answer = await RawHttp.SendAsync(server.Port, request, TimeSpan.FromSeconds(5), maxBytes: 64);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(answer), StringComparison.Ordinal);

        const string escaped = @"(/?action=stream&x=\x1b[2J\x1b[31m\x0d06:00:00.000_warn:_forged[1]_evil\x08\x07\x7f)";
        await Eventually.UntilAsync(() => Task.FromResult(server.Stderr.Contains(escaped, StringComparison.Ordinal)), () => "the escaped target is logged: " + server.Stderr);

        var log = server.Stderr;
        var line = log.Split('\n').Single(l => l.Contains(escaped, StringComparison.Ordinal));
        Assert.Contains("dbug: output_http[200] output 0: stream client 127.0.0.1:", line, StringComparison.Ordinal);
        // The reader splits lines at CR as well as LF: a raw CR would have made a line of its own.
        Assert.DoesNotContain(log.Split('\n'), l => l.TrimEnd('\r').StartsWith("06:00:00.000_warn:_forged", StringComparison.Ordinal));
        Assert.DoesNotContain(log, c => (c < ' ' && c is not '\n' and not '\r') || c is >= '\u007f' and <= '\u009f');
    }
}
