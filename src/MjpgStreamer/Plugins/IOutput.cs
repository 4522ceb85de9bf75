using System.Text.Json;
using MjpgStreamer.Core.Sources;

namespace MjpgStreamer.Plugins;

/// <summary>A running output plugin (HTTP server, later file recorder).</summary>
internal interface IOutput : IAsyncDisposable
{
    int Id { get; }

    /// <summary>The plugin name exactly as given on the command line.</summary>
    string Plugin { get; }

    /// <summary>The raw argument string, leading space kept, with any password masked.</summary>
    string Args { get; }

    string DisplayName { get; }

    IReadOnlyList<Control> Controls => [];

    /// <summary>Binds and starts; a configuration-caused failure throws StartupException.</summary>
    Task StartAsync(CancellationToken cancellation);

    Task StopAsync();

    /// <summary>?action=command with dest=1.</summary>
    ValueTask<int> ExecuteCommandAsync(CommandRequest command, CancellationToken cancellation) => ValueTask.FromResult(0);

    /// <summary>Whether the output still serves (for the systemd watchdog): started, and not stopped or faulted since.</summary>
    bool IsAlive => true;

    /// <summary>What the output does, for systemd's STATUS= once everything started (e.g. "http://127.0.0.1:8080/"), or null.</summary>
    string? ReadyText => null;

    /// <summary>Writes this output's fields into its /state object (id and plugin are written by the caller).</summary>
    void WriteState(Utf8JsonWriter writer);
}
