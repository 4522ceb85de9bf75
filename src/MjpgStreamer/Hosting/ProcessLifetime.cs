using Microsoft.Extensions.Hosting;

namespace MjpgStreamer.Hosting;

/// <summary>
/// The process, not each Kestrel host, handles SIGINT/SIGTERM (several HTTP outputs share one process),
/// so the hosts get a lifetime that registers no signal handlers.
/// </summary>
internal sealed class ProcessLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
