using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Browser;

/// <summary>
/// Debian's haproxy in front of a server with OctoPi's rule: requests under "/webcam/" go to the server with the
/// prefix stripped. Runs in the foreground (-db) on a free loopback port with a config of its own; disposing ends it.
/// </summary>
public sealed class Haproxy : IDisposable
{
    public const string ProgramPath = "/usr/sbin/haproxy";

    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _log = new();

    private Haproxy(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string WebcamUrl => $"http://127.0.0.1:{Port}/webcam/";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<Haproxy> StartAsync(int serverPort)
    {
        if (!File.Exists(ProgramPath))
        {
            throw new InvalidOperationException($"{ProgramPath} is needed: apt-get install -y haproxy (test.sh does)");
        }

        var folder = TestMedia.NewTempFolder();
        var port = FreePort();
        // OctoPi's haproxy.cfg, cut to the webcam: the same frontend rule and backend path rewrite.
        var config = $"""
            global
                maxconn 256

            defaults
                mode http
                timeout connect 5s
                timeout client 60s
                timeout server 60s

            frontend public
                bind 127.0.0.1:{port}
                option forwardfor except 127.0.0.1
                use_backend webcam if {"{"} path_beg /webcam/ {"}"}

            backend webcam
                http-request replace-path /webcam/(.*) /\1
                server webcam1 127.0.0.1:{serverPort}

            """;
        var path = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config);
        var check = await ProgramRun.RunToolAsync(ProgramPath, "-c", "-q", "-f", path);
        Assert.True(check.ExitCode == 0, "haproxy -c: " + check.Stdout + check.Stderr);

        var start = new ProcessStartInfo(ProgramPath)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[] { "-db", "-f", path })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start haproxy");
        var proxy = new Haproxy(process, folder, port);
        process.ErrorDataReceived += (_, e) => proxy.Append(e.Data);
        process.OutputDataReceived += (_, e) => proxy.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    if (process.HasExited)
                    {
                        Assert.Fail($"haproxy exited ({process.ExitCode}): {proxy.Log}");
                    }

                    using var client = new TcpClient();
                    try
                    {
                        await client.ConnectAsync(IPAddress.Loopback, port);
                        return true;
                    }
                    catch (SocketException)
                    {
                        await Task.Delay(20);
                        return false;
                    }
                },
                () => $"haproxy listens on {port}; its log: {proxy.Log}");
        }
        catch
        {
            proxy.Dispose();
            throw;
        }

        return proxy;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
