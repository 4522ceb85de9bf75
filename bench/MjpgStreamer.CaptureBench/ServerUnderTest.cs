using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.CaptureBench;

/// <summary>
/// The server executable as a child process: its stderr log is drained on its own (the last lines kept for
/// error messages, warnings and errors counted), its port comes from the "listening on" line, and
/// <see cref="StopAsync"/> ends it with SIGTERM (SIGKILL only if that is ignored).
/// </summary>
internal sealed partial class ServerUnderTest : IAsyncDisposable
{
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly Queue<string> _lastLines = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _warnings;
    private int _errors;
    private string? _firstProblem;

    private ServerUnderTest(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Log lines at warning level since the start, and the first such or worse line.</summary>
    public (int Warnings, int Errors, string? First) Problems
    {
        get
        {
            lock (_gate)
            {
                return (_warnings, _errors, _firstProblem);
            }
        }
    }

    public static ServerUnderTest Start(string exe, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(exe)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + exe);
        var server = new ServerUnderTest(process);
        process.ErrorDataReceived += (_, e) => server.OnStderr(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return server;
    }

    /// <summary>The port of the first "listening on http://HOST:PORT/" line; null if the server exits or <paramref name="bound"/> passes first.</summary>
    public async Task<int?> WaitForPortAsync(TimeSpan bound, CancellationToken cancellation)
    {
        var exited = _process.WaitForExitAsync(cancellation);
        var first = await Task.WhenAny(_port.Task, exited, Task.Delay(bound, cancellation)).ConfigureAwait(false);
        return first == _port.Task ? await _port.Task.ConfigureAwait(false) : null;
    }

    /// <summary>The log's last lines, for an error message.</summary>
    public string LastLines()
    {
        lock (_gate)
        {
            return string.Join('\n', _lastLines);
        }
    }

    /// <summary>The port in a server log line, if it is the "listening on" line.</summary>
    public static int? ParseListeningPort(string line)
    {
        var match = ListeningLine().Match(line);
        return match.Success && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    /// <summary>SIGTERM, then up to <paramref name="bound"/> for the exit; SIGKILL after that. Returns the exit code, or null if it had to be killed.</summary>
    public async Task<int?> StopAsync(TimeSpan bound)
    {
        if (!_process.HasExited)
        {
            _ = LibcSignals.Kill(_process.Id, LibcSignals.SigTerm);
        }

        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_lastLines.Count == KeptLines)
            {
                _lastLines.Dequeue();
            }

            _lastLines.Enqueue(line);
            var warning = line.Contains(" warn: ", StringComparison.Ordinal);
            var error = line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal);
            _warnings += warning ? 1 : 0;
            _errors += error ? 1 : 0;
            if ((warning || error) && _firstProblem is null)
            {
                _firstProblem = line;
            }
        }

        if (!_port.Task.IsCompleted && ParseListeningPort(line) is { } port)
        {
            _port.TrySetResult(port);
        }
    }

    [GeneratedRegex("listening on http://[^ ]+:([0-9]+)/")]
    private static partial Regex ListeningLine();
}
