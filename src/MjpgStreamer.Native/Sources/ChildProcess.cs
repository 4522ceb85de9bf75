using System.Collections;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Native.Interop;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Native.Sources;

/// <summary>
/// One program we run, whatever it is for (input_exec's command, input_raspicam's rpicam-vid and rpicam-still, still
/// commands): started without a shell (argv as given, a bare name looked up in PATH) in a process group of its own,
/// stdin /dev/null, stdout a stream for the caller, stderr logged line by line with the last lines kept for error
/// messages. <see cref="StopAsync"/> freezes the child's tree, sends SIGTERM to its group and to descendants that
/// left the group, SIGKILL to whatever is left after <see cref="Grace"/>, and reaps the child;
/// <see cref="DisposeAsync"/> does that too and closes every pipe.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    /// <summary>
    /// The one grace period for every child: between SIGTERM and SIGKILL, and for a child whose stdout ended to exit
    /// by itself. The README promises 1 s for input_exec; a camera program closes its device well within it.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    /// <summary>The most stderr lines kept (<see cref="ErrorTail"/>).</summary>
    public const int TailLines = 20;

    // SIGKILL cannot be ignored: only a process stuck in the kernel (a camera driver) outlives it, and that one still
    // holds the device, so it is waited for, but said after this long.
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    // How long the last words of a child that is gone may take to arrive through its stderr pipe. The pipe is at its
    // end once the child is reaped; the wait is for our reader to be scheduled (its line is the NO SIGNAL reason), and
    // a busy machine has kept a thread-pool reader waiting for over 500 ms.
    private static readonly TimeSpan LastWordsWait = TimeSpan.FromSeconds(2);

    private const int MaxLogLine = 1000;
    private const int MaxErrorLine = 300;

    private readonly string _owner;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly AnonymousPipeClientStream _stdout;
    private readonly AnonymousPipeClientStream _stderr;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stderrStop = new();
    private readonly Task _stderrReader;
    private readonly Lock _gate = new();
    private readonly Queue<string> _tail = new();
    private Task<int>? _stop;
    private string? _lastErrorLine;
    private bool _reapedElsewhere;
    private int _exitCode = -1;
    private bool _disposed;

    private ChildProcess(int pid, string program, int stdoutFd, int stderrFd, string owner, ILogger logger, TimeProvider time, TimeSpan grace)
    {
        Pid = pid;
        ProgramName = Path.GetFileName(program);
        _owner = owner;
        _logger = logger;
        _time = time;
        _grace = grace;
        _stdout = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(stdoutFd, ownsHandle: true));
        _stderr = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(stderrFd, ownsHandle: true));
        _stderrReader = ReadStandardErrorAsync(_stderrStop.Token);

        // waitid blocks, so it gets a small thread of its own; there is one child per input at a time.
        new Thread(WatchExit, 128 * 1024) { IsBackground = true, Name = "child-exit" }.Start();
    }

    /// <summary>The child's pid, also its process group's id.</summary>
    public int Pid { get; }

    /// <summary>The program's file name (for messages).</summary>
    public string ProgramName { get; }

    /// <summary>What the child writes to stdout (frames, a JPEG). Ends when every process holding it has closed it.</summary>
    public Stream StandardOutput => _stdout;

    /// <summary>Completes when the child has exited (it stays a zombie, its pid reserved, until stopped or disposed).</summary>
    public Task Exited => _exited.Task;

    /// <summary>Completes when the child's stderr has ended (every process holding it closed it) or its reader was stopped.</summary>
    public Task StandardErrorEnded => _stderrReader;

    /// <summary>The last non-blank stderr line, on one line and shortened for an error message; null if none.</summary>
    public string? LastErrorLine => Volatile.Read(ref _lastErrorLine);

    /// <summary>The last <see cref="TailLines"/> stderr lines, oldest first.</summary>
    public IReadOnlyList<string> ErrorTail
    {
        get
        {
            lock (_gate)
            {
                return [.. _tail];
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="argv"/>. Throws <see cref="ChildStartException"/> (one line) when it cannot start.
    /// </summary>
    /// <param name="owner">Who runs it (input_exec, input_raspicam, …), the prefix of the stop messages.</param>
    /// <param name="logger">Gets the child's stderr, line by line, and what the stop had to do.</param>
    /// <param name="grace">Between SIGTERM and SIGKILL; <see cref="Grace"/> unless a test needs it shorter.</param>
    /// <param name="environment">Variables added to (or replacing those of) this process's environment, e.g. MJPG_FILE.</param>
    public static ChildProcess Start(IReadOnlyList<string> argv, string owner, ILogger logger, TimeProvider time, TimeSpan? grace = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0 || string.IsNullOrEmpty(argv[0]))
        {
            throw new ArgumentException("no program to run", nameof(argv));
        }

        var path = ResolveProgram(argv[0]) ?? throw new ChildStartException(argv[0], Marshal.GetPInvokeErrorMessage(2));
        var (pid, stdoutFd, stderrFd) = Spawn(argv[0], path, argv, environment);
        return new ChildProcess(pid, argv[0], stdoutFd, stderrFd, owner, logger, time, grace ?? Grace);
    }

    /// <summary>
    /// Makes sure the child and everything in its group is gone, and reaps it; returns its exit code (128 + the
    /// signal when a signal ended it, -1 if unknown). With <paramref name="exitGrace"/> the child first gets that
    /// long to exit by itself. Then the child, its group and its descendants are frozen, get SIGTERM, and SIGKILL
    /// after the grace period. Members of its group left behind by a child that exited are stopped the same way.
    /// Calling it again returns the first call's task.
    /// </summary>
    public Task<int> StopAsync(TimeSpan exitGrace = default)
    {
        lock (_gate)
        {
            return _stop ??= StopCoreAsync(exitGrace);
        }
    }

    /// <summary>Stops the child (see <see cref="StopAsync"/>) and closes its pipes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _stderrStop.CancelAsync().ConfigureAwait(false);
            await _stderrReader.ConfigureAwait(false);
            await _stdout.DisposeAsync().ConfigureAwait(false);
            await _stderr.DisposeAsync().ConfigureAwait(false);
            _stderrStop.Dispose();
        }
    }

    private async Task<int> StopCoreAsync(TimeSpan exitGrace)
    {
        if (exitGrace > TimeSpan.Zero)
        {
            await CompletesWithin(Exited, exitGrace).ConfigureAwait(false);
        }

        if (!Exited.IsCompleted || ProcessTree.GroupMembers(Pid).Count > 0)
        {
            await TerminateAsync().ConfigureAwait(false);
        }

        if (!await CompletesWithin(Exited, KillWait).ConfigureAwait(false))
        {
            Log.StillRunning(_logger, _owner, ProgramName, Pid);
            await Exited.ConfigureAwait(false);
        }

        Reap();

        // Its last words (often why it failed) may still be in the pipe.
        await CompletesWithin(_stderrReader, LastWordsWait).ConfigureAwait(false);
        return _exitCode;
    }

    /// <summary>SIGTERM to all of it, SIGKILL to whatever is left after the grace period.</summary>
    private async Task TerminateAsync()
    {
        // Frozen first, so nothing can start another process between our looking and our signalling. Our own child
        // is a zombie at worst (not reaped yet), so neither its pid nor its group id can belong to anyone else.
        var others = ProcessTree.Freeze(Pid);
        SignalAll(others, LibcSignals.SigTerm);
        SignalAll(others, LibcSignals.SigCont);

        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started) < _grace && !(Exited.IsCompleted && others.TrueForAll(p => !ProcessTree.IsAlive(p))))
        {
            await CompletesWithin(Exited, TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }

        if (!Exited.IsCompleted)
        {
            Log.Killing(_logger, _owner, ProgramName, Pid);
        }

        // Also when all seemed gone: whatever joined the group after the freeze is ours too.
        SignalAll(others, LibcSignals.SigKill);
    }

    private void SignalAll(List<ProcessTree.ProcessId> others, int signal)
    {
        // ESRCH (already gone) is fine; nothing else can go wrong for our own processes.
        _ = LibcSignals.Kill(-Pid, signal);
        _ = LibcSignals.Kill(Pid, signal);
        foreach (var other in others)
        {
            if (ProcessTree.IsAlive(other))
            {
                _ = LibcSignals.Kill(other.Pid, signal);
            }
        }
    }

    private unsafe void WatchExit()
    {
        var info = stackalloc byte[LibcSpawn.SigInfoSize];
        while (LibcSpawn.WaitId(LibcSpawn.PPid, Pid, info, LibcSpawn.WExited | LibcSpawn.WNoWait) != 0)
        {
            if (Marshal.GetLastPInvokeError() != LibcSpawn.EIntr)
            {
                // ECHILD: reaped by someone else (the runtime reaps all children when SIGCHLD was ignored at start).
                Volatile.Write(ref _reapedElsewhere, true);
                break;
            }
        }

        _exited.TrySetResult();
    }

    private void Reap()
    {
        if (Volatile.Read(ref _reapedElsewhere))
        {
            return;
        }

        int result;
        int status;
        do
        {
            result = LibcSpawn.WaitPid(Pid, out status, LibcSpawn.WNoHang);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == LibcSpawn.EIntr);

        if (result == Pid)
        {
            // As System.Diagnostics.Process reports it: the exit status, or 128 + the signal that ended it.
            var signal = status & 0x7f;
            _exitCode = signal == 0 ? (status >> 8) & 0xff : 128 + signal;
        }
    }

    private async Task ReadStandardErrorAsync(CancellationToken cancellation)
    {
        // Started from the constructor: the reading itself runs on the thread pool.
        await Task.Yield();
        using var reader = new StreamReader(_stderr, leaveOpen: true);
        try
        {
            while (await reader.ReadLineAsync(cancellation).ConfigureAwait(false) is { } said)
            {
                if (string.IsNullOrWhiteSpace(said))
                {
                    continue;
                }

                // ffmpeg and friends echo their input URL, password included ("from 'rtsp://user:pw@cam/'").
                var line = SecretMask.MaskUrls(said);

                var shown = Shorten(line, MaxLogLine);
                lock (_gate)
                {
                    _tail.Enqueue(shown);
                    if (_tail.Count > TailLines)
                    {
                        _tail.Dequeue();
                    }
                }

                Volatile.Write(ref _lastErrorLine, Shorten(OneLine(line), MaxErrorLine));
                Log.ChildSaid(_logger, ProgramName, shown);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task<bool> CompletesWithin(Task task, TimeSpan timeout)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        using var cts = new CancellationTokenSource();
        var delay = Task.Delay(timeout, _time, cts.Token);
        var first = await Task.WhenAny(task, delay).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        return first == task;
    }

    private static string Shorten(string line, int max) => line.Length > max ? line[..max] + "…" : line;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>As execvp looks a program up, but in this process's PATH as .NET sees it; null if not found.</summary>
    private static string? ResolveProgram(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return name;
        }

        var path = Environment.GetEnvironmentVariable("PATH");
        foreach (var dir in (string.IsNullOrEmpty(path) ? "/usr/local/bin:/usr/bin:/bin" : path).Split(':'))
        {
            var candidate = Path.Join(dir.Length == 0 ? "." : dir, name);
            if (File.Exists(candidate) && LibcSpawn.Access(candidate, LibcSpawn.XOk) == 0)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>posix_spawn with stdin /dev/null, stdout and stderr pipes, a new process group, default signals.</summary>
    private static unsafe (int Pid, int StdoutFd, int StderrFd) Spawn(string name, string path, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? extra)
    {
        var fds = stackalloc int[4];
        if (LibcSpawn.Pipe2(fds, LibcSpawn.OCloexec) != 0)
        {
            throw new ChildStartException(name, Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }

        if (LibcSpawn.Pipe2(fds + 2, LibcSpawn.OCloexec) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = LibcSpawn.Close(fds[0]);
            _ = LibcSpawn.Close(fds[1]);
            throw new ChildStartException(name, Marshal.GetPInvokeErrorMessage(errno));
        }

        var environment = new List<string>();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (extra is null || !extra.ContainsKey((string)variable.Key))
            {
                environment.Add($"{variable.Key}={variable.Value}");
            }
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment.Add($"{key}={value}");
        }

        var strings = new List<nint>();
        byte* Utf8(string text)
        {
            var pointer = Marshal.StringToCoTaskMemUTF8(text);
            strings.Add(pointer);
            return (byte*)pointer;
        }

        var fileActions = NativeMemory.AllocZeroed(LibcSpawn.OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(LibcSpawn.OpaqueSize);
        var signals = NativeMemory.AllocZeroed(LibcSpawn.OpaqueSize);
        var argvArray = (byte**)NativeMemory.AllocZeroed((nuint)(argv.Count + 1), (nuint)sizeof(nint));
        var envArray = (byte**)NativeMemory.AllocZeroed((nuint)(environment.Count + 1), (nuint)sizeof(nint));
        var spawned = false;
        try
        {
            _ = LibcSpawn.FileActionsInit(fileActions);
            _ = LibcSpawn.AttrInit(attributes);
            try
            {
                _ = LibcSpawn.FileActionsAddOpen(fileActions, 0, Utf8("/dev/null"), LibcSpawn.ORdonly, 0);
                _ = LibcSpawn.FileActionsAddDup2(fileActions, fds[1], 1);
                _ = LibcSpawn.FileActionsAddDup2(fileActions, fds[3], 2);

                // A group of its own (the stop signals all of it); no signal blocked, and none ignored: the runtime
                // ignores SIGPIPE, and a child writing to a closed pipe must die of it as usual.
                _ = LibcSpawn.AttrSetFlags(attributes, LibcSpawn.SpawnSetPgroup | LibcSpawn.SpawnSetSigMask | LibcSpawn.SpawnSetSigDef);
                _ = LibcSpawn.AttrSetPgroup(attributes, 0);
                _ = LibcSpawn.SigEmptySet(signals);
                _ = LibcSpawn.AttrSetSigMask(attributes, signals);
                _ = LibcSpawn.SigFillSet(signals);
                _ = LibcSpawn.AttrSetSigDefault(attributes, signals);

                for (var i = 0; i < argv.Count; i++)
                {
                    argvArray[i] = Utf8(argv[i]);
                }

                for (var i = 0; i < environment.Count; i++)
                {
                    envArray[i] = Utf8(environment[i]);
                }

                var error = LibcSpawn.Spawn(out var pid, Utf8(path), fileActions, attributes, argvArray, envArray);
                if (error != 0)
                {
                    throw new ChildStartException(name, Marshal.GetPInvokeErrorMessage(error));
                }

                spawned = true;
                return (pid, fds[0], fds[2]);
            }
            finally
            {
                _ = LibcSpawn.FileActionsDestroy(fileActions);
                _ = LibcSpawn.AttrDestroy(attributes);
            }
        }
        finally
        {
            // The write ends are the child's now (or nobody's).
            _ = LibcSpawn.Close(fds[1]);
            _ = LibcSpawn.Close(fds[3]);
            if (!spawned)
            {
                _ = LibcSpawn.Close(fds[0]);
                _ = LibcSpawn.Close(fds[2]);
            }

            foreach (var pointer in strings)
            {
                Marshal.FreeCoTaskMem(pointer);
            }

            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            NativeMemory.Free(argvArray);
            NativeMemory.Free(envArray);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ChildProcessChildSaid, Level = LogLevel.Warning, Message = "{Program}: {Line}")]
        public static partial void ChildSaid(ILogger logger, string program, string line);

        [LoggerMessage(EventId = LogEvents.ChildProcessKilling, Level = LogLevel.Warning, Message = "{Owner}: {Program} (pid {Pid}) ignored SIGTERM, killing it")]
        public static partial void Killing(ILogger logger, string owner, string program, int pid);

        [LoggerMessage(EventId = LogEvents.ChildProcessStillRunning, Level = LogLevel.Error, Message = "{Owner}: {Program} (pid {Pid}) does not die even after SIGKILL; waiting for it")]
        public static partial void StillRunning(ILogger logger, string owner, string program, int pid);
    }
}

/// <summary>A program could not be started (not found, not executable, no descriptors left); the message is one line.</summary>
public sealed class ChildStartException(string program, string why) : Exception($"cannot start {program}: {why}")
{
    /// <summary>Why, without the program (the strerror text).</summary>
    public string Why { get; } = why;
}
