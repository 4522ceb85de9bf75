using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Http;

/// <summary>
/// output_http.so -cert/-key against the real executable: certificates made at test time (EC P-256 and RSA
/// 2048, with .NET, and one with the openssl command the README gives), real clients (curl, ffmpeg, ffprobe)
/// checking the certificate, the stream and the pause keep-alive over TLS, plain HTTP on the HTTPS port, and
/// every bad certificate or key as one start-up line.
/// </summary>
public sealed partial class HttpsTests : IDisposable
{
    private readonly string _folder = TestMedia.NewTempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public async Task Curl_checking_the_certificate_gets_a_snapshot_and_ffmpeg_reads_the_stream(string kind)
    {
        var (cert, key) = kind == "ec" ? WriteEc("server") : WriteRsa("server");
        await using var server = await StartAsync(cert, key);
        Assert.Contains($"listening on https://127.0.0.1:{server.Port}/", server.Stderr, StringComparison.Ordinal);
        Assert.Contains(kind == "ec" ? "(EC 256 bit)" : "(RSA 2048 bit)", server.Stderr, StringComparison.Ordinal);
        var url = $"https://127.0.0.1:{server.Port}/";

        var snapshot = Path.Combine(_folder, "snap.jpg");
        var curl = await ProgramRun.RunToolAsync("curl", "-sS", "--cacert", cert, "-o", snapshot, "-w", "%{http_code} %{content_type} %{http_version}", url + "?action=snapshot");
        Assert.Equal("200 image/jpeg 1.1", curl.Stdout);
        Assert.Equal([0xFF, 0xD8], File.ReadAllBytes(snapshot)[..2]);

        var ffmpeg = await ProgramRun.RunToolAsync("ffmpeg", "-nostdin", "-v", "error", "-tls_verify", "1", "-ca_file", cert, "-i", url + "?action=stream", "-frames:v", "20", "-f", "null", "-");
        Assert.True(ffmpeg.ExitCode == 0, ffmpeg.Stderr);
        Assert.Equal("", ffmpeg.Stderr);

        var probe = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", "-tls_verify", "0", "-show_entries", "stream=codec_name,width,height", "-of", "default=nw=1", url + "?action=stream");
        Assert.Equal("codec_name=mjpeg\nwidth=320\nheight=240\n", probe.Stdout);
    }

    [Fact]
    public async Task A_certificate_made_with_the_openssl_command_of_the_readme_serves()
    {
        var cert = Path.Combine(_folder, "openssl.crt");
        var key = Path.Combine(_folder, "openssl.key");
        var openssl = await ProgramRun.RunToolAsync("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "3650", "-subj", "/CN=mjpg-streamer", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert);
        Assert.True(openssl.ExitCode == 0, openssl.Stderr);
        await using var server = await StartAsync(cert, key);
        var curl = await ProgramRun.RunToolAsync("curl", "-sS", "--cacert", cert, "-o", "/dev/null", "-w", "%{http_code} %{content_type}", $"https://localhost:{server.Port}/?action=snapshot");
        Assert.Equal("200 image/jpeg", curl.Stdout);
    }

    [Fact]
    public async Task The_intermediate_certificates_after_the_first_are_sent_to_the_client()
    {
        // root → intermediate → server; the -cert file holds server + intermediate (a fullchain.pem), the client
        // trusts only the root: it can verify only if the server sends the intermediate.
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = CaRequest("CN=test root", rootKey).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediatePublic = CaRequest("CN=test intermediate", intermediateKey).Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(20), [1, 2, 3, 4]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=server", serverKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(LoopbackNames());
        using var server = request.Create(intermediate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), [5, 6, 7, 8]);

        var rootFile = Path.Combine(_folder, "root.crt");
        var chainFile = Path.Combine(_folder, "fullchain.pem");
        var keyFile = Path.Combine(_folder, "server.key");
        await File.WriteAllTextAsync(rootFile, root.ExportCertificatePem() + "\n");
        await File.WriteAllTextAsync(chainFile, server.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        await File.WriteAllTextAsync(keyFile, serverKey.ExportPkcs8PrivateKeyPem() + "\n");

        await using var process = await StartAsync(chainFile, keyFile);
        var curl = await ProgramRun.RunToolAsync("curl", "-sS", "--cacert", rootFile, "-o", "/dev/null", "-w", "%{http_code}", $"https://127.0.0.1:{process.Port}/?action=snapshot");
        Assert.True(curl.Stdout == "200", curl.Stderr);
    }

    [Fact]
    public async Task An_expired_certificate_is_warned_about_and_served()
    {
        var (cert, key) = WriteEc("server", notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        await using var server = await StartAsync(cert, key);
        Assert.Contains("warn: output_http[271] output 0: the HTTPS certificate is not valid now", server.Stderr, StringComparison.Ordinal);
        var curl = await ProgramRun.RunToolAsync("curl", "-s", "-k", "-o", "/dev/null", "-w", "%{http_code}", $"https://127.0.0.1:{server.Port}/?action=snapshot");
        Assert.Equal("200", curl.Stdout);
    }

    [Fact]
    public async Task An_http11_client_gets_the_plain_stream_and_json_over_tls()
    {
        var (cert, key) = WriteEc("server");
        await using var server = await StartAsync(cert, key);
        var url = $"https://127.0.0.1:{server.Port}/";
        // --raw shows chunk-size lines if there are any: the body would start with "16\r\n".
        var stream = await ProgramRun.RunToolAsync("curl", "--raw", "-s", "--http1.1", "--cacert", cert, "--max-time", "1", "-D", "-", url + "?action=stream");
        var head = stream.Stdout[..stream.Stdout.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nConnection: close", head, StringComparison.Ordinal);
        Assert.StartsWith("--boundarydonotcross\r\nContent-Type: image/jpeg\r\n", stream.Stdout[(head.Length + 4)..], StringComparison.Ordinal);

        var json = await ProgramRun.RunToolAsync("curl", "--raw", "-s", "--http1.1", "--cacert", cert, url + "program.json");
        Assert.StartsWith("{", json.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_on_the_https_port_gets_a_400_and_the_server_keeps_serving()
    {
        var (cert, key) = WriteEc("server");
        await using var server = await StartAsync(cert, key);
        var plain = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(400, plain.Status);
        Assert.Contains("HTTPS only", plain.BodyText, StringComparison.Ordinal);

        // A client that refuses the certificate ends its handshake; the next one is served all the same.
        var refused = await ProgramRun.RunToolAsync("curl", "-sS", "-o", "/dev/null", $"https://127.0.0.1:{server.Port}/?action=snapshot");
        Assert.Equal(60, refused.ExitCode); // CURLE_PEER_FAILED_VERIFICATION: self-signed, not trusted

        var curl = await ProgramRun.RunToolAsync("curl", "-sS", "-k", "-o", "/dev/null", "-w", "%{http_code}", $"https://127.0.0.1:{server.Port}/?action=snapshot");
        Assert.Equal("200", curl.Stdout);
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task Credentials_are_asked_over_https()
    {
        var (cert, key) = WriteRsa("server");
        await using var server = await StartAsync(cert, key, "-c user:secret");
        var url = $"https://127.0.0.1:{server.Port}/?action=snapshot";
        var without = await ProgramRun.RunToolAsync("curl", "-s", "--cacert", cert, "-o", "/dev/null", "-w", "%{http_code}", url);
        Assert.Equal("401", without.Stdout);
        var with = await ProgramRun.RunToolAsync("curl", "-s", "--cacert", cert, "-u", "user:secret", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", url);
        Assert.Equal("200 image/jpeg", with.Stdout);
        var ffmpeg = await ProgramRun.RunToolAsync("ffmpeg", "-nostdin", "-v", "error", "-tls_verify", "0", "-i", $"https://user:secret@127.0.0.1:{server.Port}/?action=stream", "-frames:v", "5", "-f", "null", "-");
        Assert.True(ffmpeg.ExitCode == 0, ffmpeg.Stderr);
    }

    [Fact]
    public async Task The_stream_goes_on_over_tls_through_a_pause_with_keep_alive_frames()
    {
        var (cert, key) = WriteEc("server");
        var lockFile = Path.Combine(_folder, "paused.lock");
        await using var server = await StartAsync(cert, key, pauseFile: lockFile);
        using var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(cert));
        await using var client = await MjpegClient.ConnectAsync(server.Port, "/?action=stream", trusted);
        Assert.Contains("multipart/x-mixed-replace", client.ResponseHead, StringComparison.Ordinal);
        await client.NextAsync();

        await File.WriteAllTextAsync(lockFile, "");
        var state = "";
        await Eventually.UntilAsync(
            async () =>
            {
                var json = await ProgramRun.RunToolAsync("curl", "-s", "--cacert", cert, $"https://127.0.0.1:{server.Port}/state");
                state = json.Stdout;
                return state.Length > 0 && System.Text.Json.JsonDocument.Parse(state).RootElement.GetProperty("inputs")[0].GetProperty("state").GetString() == "released";
            },
            () => "the input pauses: " + state);

        // Paused, the frames keep coming (about one a second): three in a row over the same TLS connection.
        for (var i = 0; i < 3; i++)
        {
            var part = await client.NextAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0xFF, part.Jpeg[0]);
        }

        File.Delete(lockFile);
        await client.NextAsync();
    }

    [Fact]
    public async Task A_key_of_another_certificate_exits_1_with_one_line()
    {
        var (cert, _) = WriteEc("server");
        var (_, otherKey) = WriteEc("other");
        var run = await RunAsync(cert, otherKey);
        AssertOneLineFailure(run, $"output_http.so: '{otherKey}' is not the private key of '{cert}' (the two do not match)");
    }

    [Fact]
    public async Task A_key_of_the_wrong_type_exits_1_with_one_line()
    {
        var (cert, _) = WriteRsa("server");
        var (_, ecKey) = WriteEc("other");
        var run = await RunAsync(cert, ecKey);
        AssertOneLineFailure(run, $"output_http.so: '{ecKey}' is not the private key of '{cert}' (that needs an RSA key): ", prefixOnly: true);
    }

    [Fact]
    public async Task A_file_that_is_not_a_certificate_exits_1_with_one_line()
    {
        var (_, key) = WriteEc("server");
        var garbage = Path.Combine(_folder, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "not a certificate\n");
        var run = await RunAsync(garbage, key);
        AssertOneLineFailure(run, $"output_http.so: '{garbage}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");

        // The certificate given as the key (a common slip) names the key file.
        var (cert, _) = WriteEc("server2");
        run = await RunAsync(cert, cert);
        AssertOneLineFailure(run, $"output_http.so: '{cert}' holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    [Fact]
    public async Task A_fifo_given_as_the_certificate_exits_1_with_one_line_instead_of_blocking()
    {
        var (_, key) = WriteEc("server");
        var fifo = Path.Combine(_folder, "cert.pem");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var run = await RunAsync(fifo, key);
        AssertOneLineFailure(run, $"output_http.so: cannot read '{fifo}': not a readable regular file");
    }

    [Fact]
    public async Task A_key_with_a_passphrase_exits_1_with_one_line()
    {
        var (cert, _) = WriteEc("server", encryptKey: true);
        var key = Path.Combine(_folder, "server.key");
        var run = await RunAsync(cert, key);
        AssertOneLineFailure(run, $"output_http.so: '{key}' is encrypted with a passphrase; give the key without one (openssl pkey -in KEY -out PLAIN.key)");
    }

    [Fact]
    public async Task A_certificate_without_its_key_is_a_usage_error()
    {
        var (cert, _) = WriteEc("server");
        var run = await ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", $"output_http.so -p 0 -l 127.0.0.1 -cert {cert}");
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("mjpg_streamer: output_http.so: -cert and -key go together", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    private static Task<ServerProcess> StartAsync(string cert, string key, string more = "", string pauseFile = "none") =>
        ServerProcess.StartAsync(["--pause-file", pauseFile, "-i", "input_testpattern.so -r 320x240 -f 15", "-o", $"output_http.so -p 0 -l 127.0.0.1 -cert {cert} -key {key} {more}".TrimEnd()]);

    private static Task<ProgramRun.Result> RunAsync(string cert, string key) =>
        ProgramRun.RunAsync("--pause-file", "none", "-i", "input_testpattern.so -r 160x120", "-o", $"output_http.so -p 0 -l 127.0.0.1 -cert {cert} -key {key}");

    /// <summary>Exit 1, no stack trace, nothing on stdout; every line but the last a log line, the last the message.</summary>
    private static void AssertOneLineFailure(ProgramRun.Result run, string message, bool prefixOnly = false)
    {
        Assert.True(run.ExitCode == 1, $"exit code {run.ExitCode}, expected 1; stderr:\n{run.Stderr}");
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        if (prefixOnly)
        {
            Assert.StartsWith($"mjpg_streamer: {message}", lines[^1], StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal($"mjpg_streamer: {message}", lines[^1]);
        }

        foreach (var line in lines[..^1])
        {
            Assert.Matches(LogLine(), line);
        }

        // Checked with the options, before the server starts: nothing listened.
        Assert.DoesNotContain("listening on", run.Stderr, StringComparison.Ordinal);
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    private static X509Extension LoopbackNames()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        return san.Build();
    }

    private (string Cert, string Key) WriteEc(string name, bool encryptKey = false, DateTimeOffset? notAfter = null)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, ec, HashAlgorithmName.SHA256);
        var key = encryptKey
            ? ec.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000))
            : ec.ExportPkcs8PrivateKeyPem();
        return Write(name, request, key, notAfter);
    }

    private (string Cert, string Key) WriteRsa(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // PKCS#1 ("BEGIN RSA PRIVATE KEY"), as older openssl writes it; the EC one is PKCS#8.
        return Write(name, request, rsa.ExportRSAPrivateKeyPem());
    }

    private (string Cert, string Key) Write(string name, CertificateRequest request, string keyPem, DateTimeOffset? notAfter = null)
    {
        request.CertificateExtensions.Add(LoopbackNames());
        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        using var certificate = request.CreateSelfSigned(end.AddDays(-30), end);
        var cert = Path.Combine(_folder, name + ".crt");
        var key = Path.Combine(_folder, name + ".key");
        File.WriteAllText(cert, certificate.ExportCertificatePem() + "\n", Encoding.ASCII);
        File.WriteAllText(key, keyPem + "\n", Encoding.ASCII);
        return (cert, key);
    }

    /// <summary>The console logger's single-line format: "HH:mm:ss.fff level: category[event] message".</summary>
    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (trce|dbug|info|warn|fail|crit): \S+\[\d+\] ")]
    private static partial Regex LogLine();
}
