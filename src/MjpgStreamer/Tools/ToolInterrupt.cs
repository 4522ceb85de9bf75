using System.Runtime.InteropServices;

namespace MjpgStreamer.Tools;

/// <summary>
/// SIGINT and SIGTERM for a helper verb that must clean up (resume the camera, remove its temporary file): the
/// default exit is cancelled and <see cref="Token"/> fires instead; the verb then undoes what it did and exits 1.
/// </summary>
internal sealed class ToolInterrupt : IDisposable
{
    private readonly CancellationTokenSource _fired = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private string? _signal;

    public ToolInterrupt()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _fired.Token;

    /// <summary>"SIGINT" or "SIGTERM" once one came (the first), else null.</summary>
    public string? Signal => Volatile.Read(ref _signal);

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _fired.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Ours to handle, also a second time: the clean-up is bounded in time.
        context.Cancel = true;
        if (Interlocked.CompareExchange(ref _signal, context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM", null) is null)
        {
            _fired.Cancel();
        }
    }
}
