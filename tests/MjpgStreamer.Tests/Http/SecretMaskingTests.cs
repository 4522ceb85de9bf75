using System.Text;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// The real executable never shows a password: not the -c value however it is spelled, not a URL's password in an
/// input's arguments, not one that a program it runs prints on stderr (/program.json and the log).
/// </summary>
public sealed class SecretMaskingTests
{
    [Fact]
    public async Task Passwords_are_masked_in_program_json_and_the_log_however_the_command_line_spells_them()
    {
        var server = await ServerProcess.StartAsync(
        [
            "-i", "input_exec.so -- sh -c \"echo 'Input #0, rtsp, from rtsp://admin:s3cretA@cam/live' >&2; exec sleep 60\"",
            "-o", "output_http.so -p 0 -l 127.0.0.1 -c  alpha:pw1one",
            "-o", "output_http.so -p 0 -l 127.0.0.1 -cbeta:pw2two",
            "-o", "output_http.so -p 0 -l 127.0.0.1 -c \"gamma:pass word3\"",
            "-o", "output_http.so -p 0 -l 127.0.0.1 --credentials=delta:pw4four",
            "-o", "output_http.so -p 0 -l 127.0.0.1 -cred epsilon:pw5five",
        ], outputs: 5);
        await using (server)
        {
            string[] secrets = ["s3cretA", "pw1one", "pw2two", "pass word3", "word3", "pw4four", "pw5five"];
            var login = "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alpha:pw1one")) + "\r\n";
            var response = await RawHttp.GetResponseAsync(server.Port, "/program.json", extraHeaders: login);
            Assert.Equal(200, response.Status);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, response.BodyText, StringComparison.Ordinal);
            }

            var program = JsonDocument.Parse(response.Body).RootElement;
            Assert.Contains("rtsp://admin:***@cam/live", program.GetProperty("inputs")[0].GetProperty("args").GetString()!, StringComparison.Ordinal);
            string[] shown =
            [
                " -p 0 -l 127.0.0.1 -c  alpha:***",
                " -p 0 -l 127.0.0.1 -cbeta:***",
                " -p 0 -l 127.0.0.1 -c \"gamma:***\"",
                " -p 0 -l 127.0.0.1 --credentials=delta:***",
                " -p 0 -l 127.0.0.1 -cred epsilon:***",
            ];
            Assert.Equal(shown, program.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("args").GetString()!));

            // The program's stderr reaches the log with the URL's password masked.
            await Eventually.UntilAsync(() => Task.FromResult(server.Stderr.Contains("rtsp://admin:***@cam/live", StringComparison.Ordinal)), () => "the program's stderr line in the log:\n" + server.Stderr);
            Assert.Equal(0, await server.StopAsync());
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, server.Stderr + server.Stdout, StringComparison.Ordinal);
            }
        }
    }
}
