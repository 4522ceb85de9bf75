using Microsoft.AspNetCore.Http;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// ?action=pause / ?action=resume: the HTTP pause beside the lock file. With wait=1 the answer comes once
/// every input has released its device (pause) or streams again (resume), or 504 after 10 s. An HTTP
/// resume cannot lift a pause the lock file holds: 409. 501 under -n.
/// </summary>
internal sealed class PauseEndpoint(HttpOutputOptions options, Streamer streamer)
{
    /// <summary>How long ?action=pause&amp;wait=1 waits for every input to be released (or streaming, for resume).</summary>
    public static readonly TimeSpan PauseWait = TimeSpan.FromSeconds(10);

    public async Task HandleAsync(HttpContext context, string rawTarget, bool pause)
    {
        if (options.NoCommands)
        {
            await Responses.WriteErrorAsync(context, 501, "this server is configured to not accept commands");
            return;
        }

        var coordinator = streamer.Pause!;
        coordinator.SetHttpPaused(pause);
        if (!pause && coordinator.Status.ByFile)
        {
            await Responses.WriteErrorAsync(context, 409, $"paused by the lock file {coordinator.LockFile}; remove it to resume");
            return;
        }

        var wait = rawTarget.Contains("wait=1", StringComparison.Ordinal);
        if (wait)
        {
            var target = pause ? InputState.Released : InputState.Streaming;
            using var timeout = new CancellationTokenSource(PauseWait, streamer.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted, streamer.Stopping);
            try
            {
                await Task.WhenAll(streamer.Inputs.Select(i => i.Context.WaitForStateAsync(target, linked.Token)));
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                var waiting = string.Join(", ", streamer.Inputs.Where(i => i.Context.State != target).Select(i => $"input {i.Id} is {i.Context.State.ToJsonName()}"));
                await Responses.WriteErrorAsync(context, 504, $"not {target.ToJsonName()} within {PauseWait.TotalSeconds:0} s: {waiting}");
                return;
            }
        }

        await Responses.WriteTextAsync(context, "application/json", JsonDocuments.PauseAnswer(streamer));
    }
}
