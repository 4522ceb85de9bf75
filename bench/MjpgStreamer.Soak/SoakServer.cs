using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MjpgStreamer.Soak;

/// <summary>
/// The real mjpg_streamer executable on 127.0.0.1 -p 0 with a pause file in a temporary folder of its own; the port
/// comes from its "listening on" line. Disposing stops it (SIGTERM, then SIGKILL after 5 s) and removes the folder.
/// </summary>
public sealed partial class SoakServer : IAsyncDisposable
{
    private const int KeptLogLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _log = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Text, List<long> Times)> _watched = [];

    private SoakServer(Process process, string folder)
    {
        _process = process;
        Folder = folder;
        PauseFile = Path.Combine(folder, "paused.lock");
    }

    /// <summary>This server's temporary folder (pause file, programs, devices).</summary>
    public string Folder { get; }

    /// <summary>The --pause-file given to the server (absent at start).</summary>
    public string PauseFile { get; }

    public int Pid => _process.Id;

    public int Port => _port.Task.IsCompletedSuccessfully ? _port.Task.Result : throw new InvalidOperationException("not listening");

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the server wrote to stderr.</summary>
    public string LogTail
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="executable"/> with "--pause-file FOLDER/paused.lock", the <paramref name="inputs"/> (-i)
    /// ("{folder}" in them is the folder) and one output_http.so on 127.0.0.1 -p 0 with <paramref name="httpOptions"/>. <paramref name="prepare"/> may
    /// write files into the folder first (its argument) and returns extra environment variables; the times of lines
    /// containing one of <paramref name="watch"/> are kept (<see cref="LineTimes"/>).
    /// </summary>
    public static async Task<SoakServer> StartAsync(
        string executable,
        IEnumerable<string> inputs,
        string httpOptions = "",
        Func<string, IDictionary<string, string>?>? prepare = null,
        IEnumerable<string>? watch = null,
        CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateTempSubdirectory("mjpg-soak.").FullName;
        var environment = prepare?.Invoke(folder);
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add("--pause-file");
        start.ArgumentList.Add(Path.Combine(folder, "paused.lock"));
        foreach (var input in inputs)
        {
            start.ArgumentList.Add("-i");
            start.ArgumentList.Add(input.Replace("{folder}", folder, StringComparison.Ordinal));
        }

        start.ArgumentList.Add("-o");
        start.ArgumentList.Add($"output_http.so -p 0 -l 127.0.0.1 {httpOptions.Replace("{folder}", folder, StringComparison.Ordinal)}".TrimEnd());
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + executable);
        var server = new SoakServer(process, folder);
        foreach (var text in watch ?? [])
        {
            server._watched.Add((text, []));
        }

        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var exited = process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(server._port.Task, exited, Task.Delay(TimeSpan.FromSeconds(20), cancellationToken)).ConfigureAwait(false);
        if (first != server._port.Task)
        {
            var log = server.LogTail;
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("mjpg_streamer did not start listening:\n" + log);
        }

        return server;
    }

    /// <summary>When (Stopwatch timestamps) the server wrote a line containing <paramref name="text"/> (one of the watched texts).</summary>
    public IReadOnlyList<long> LineTimes(string text)
    {
        lock (_gate)
        {
            foreach (var (watched, times) in _watched)
            {
                if (watched == text)
                {
                    return [.. times];
                }
            }
        }

        throw new ArgumentException("not watched: " + text, nameof(text));
    }

    /// <summary>Sends SIGTERM and waits up to <paramref name="wait"/>: the exit code and how long it took, or null for no exit.</summary>
    public async Task<(int? ExitCode, TimeSpan Elapsed)> TerminateAsync(TimeSpan wait)
    {
        var started = Stopwatch.GetTimestamp();
        if (!_process.HasExited)
        {
            _ = Posix.Kill(_process.Id, Posix.SigTerm);
        }

        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return (null, Stopwatch.GetElapsedTime(started));
        }

        return (_process.ExitCode, Stopwatch.GetElapsedTime(started));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            var (code, _) = await TerminateAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (code is null)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file the server left behind is not worth failing over.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var (text, times) in _watched)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    times.Add(Stopwatch.GetTimestamp());
                }
            }

            _log.Enqueue(line);
            while (_log.Count > KeptLogLines)
            {
                _log.Dequeue();
            }
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _port.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"listening on http://[^ ]+:([0-9]+)/")]
    private static partial Regex ListeningLine();
}
