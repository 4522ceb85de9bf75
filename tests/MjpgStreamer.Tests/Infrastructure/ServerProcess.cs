using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// The real mjpg_streamer executable, started on a free loopback port (-p 0); its port comes from its
/// "listening on" log line. Disposing sends SIGTERM and waits for the exit.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private readonly Lock _gate = new();
    private readonly List<int> _ports = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The executable under test: MJPG_STREAMER_EXE, else the build output copied beside the tests.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("MJPG_STREAMER_EXE") is { Length: > 0 } exe
            ? exe
            : Path.Combine(AppContext.BaseDirectory, "mjpg_streamer");

    public int Pid => _process.Id;

    public int Port => Ports[0];

    public IReadOnlyList<int> Ports
    {
        get
        {
            lock (_gate)
            {
                return [.. _ports];
            }
        }
    }

    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts the server and waits until each of <paramref name="outputs"/> HTTP outputs listens. A
    /// <paramref name="launcher"/> (such as ["prlimit", "--nofile=256:256", "--"]) runs the server through it; the
    /// launcher must exec the server, so <see cref="Pid"/> is the server's. <paramref name="executable"/> replaces
    /// <see cref="ExecutablePath"/> (a release build under test).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> args, int outputs = 1, IDictionary<string, string>? environment = null, string? workingDirectory = null, IReadOnlyList<string>? launcher = null, string? executable = null)
    {
        executable ??= ExecutablePath;
        var start = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : executable)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        // Never the real /run/mjpg_streamer_paused.lock: a stale one would pause every test server.
        var list = args.ToList();
        if (!list.Contains("--pause-file"))
        {
            list.InsertRange(0, ["--pause-file", "none"]);
        }

        if (launcher is { Count: > 0 })
        {
            list.InsertRange(0, [.. launcher.Skip(1), executable]);
        }

        foreach (var arg in list)
        {
            start.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + executable);
        var server = new ServerProcess(process);
        process.ErrorDataReceived += (_, e) => server.OnStderr(e.Data, outputs);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (server._gate)
                {
                    server._stdout.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(server._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(20)));
        if (first != server._listening.Task)
        {
            var log = server.Stderr;
            await server.DisposeAsync();
            throw new InvalidOperationException($"mjpg_streamer did not start listening: {log}");
        }

        return server;
    }

    private void OnStderr(string? line, int outputs)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _stderr.AppendLine(line);
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                _ports.Add(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                if (_ports.Count >= outputs)
                {
                    _listening.TrySetResult();
                }
            }
        }
    }

    /// <summary>Sends a signal (SIGTERM by default) and waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(int signal = Signals.SIGTERM, TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            _ = Signals.Kill(_process.Id, signal);
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await StopAsync(Signals.SIGTERM, TimeSpan.FromSeconds(5));
            }
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    [GeneratedRegex(@"listening on (?:https?|rtsp)://[^ ]+:([0-9]+)/")]
    private static partial Regex ListeningLine();
}

public static partial class Signals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
