using Microsoft.AspNetCore.Http;
using MjpgStreamer.Outputs;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// ?action=take[&amp;filename=NAME]: the first output_file saves the newest camera frame as NAME (a plain name in its
/// folder; '/' or '..' after %-decoding: 400 with the reason, nothing written) or, without filename=, under its
/// next picture name; then the answer is a snapshot, as the original's. 404 without an output_file, 501 under -n.
/// </summary>
internal sealed class TakeEndpoint(HttpOutputOptions options, Streamer streamer, SnapshotEndpoint snapshot)
{
    public async Task HandleAsync(HttpContext context, string rawTarget)
    {
        if (streamer.Outputs.OfType<FileOutput>().FirstOrDefault() is not { } output)
        {
            await Responses.WriteErrorAsync(context, 404, "FILE output plugin not loaded, taking snapshot not possible");
            return;
        }

        if (options.NoCommands)
        {
            await Responses.WriteErrorAsync(context, 501, "this server is configured to not accept commands");
            return;
        }

        string? name = null;
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var query = question < 0 ? "" : rawTarget[(question + 1)..];
        var at = query.IndexOf("filename=", StringComparison.Ordinal);
        if (at >= 0)
        {
            var value = query[(at + "filename=".Length)..];
            var end = value.IndexOf('&', StringComparison.Ordinal);
            if (!CommandParser.TryUnescape(end < 0 ? value : value[..end], out var decoded))
            {
                await Responses.WriteErrorAsync(context, 400, "could not properly unescape filename");
                return;
            }

            name = decoded;
        }

        var taken = output.Take(name);
        if (taken.Path is null)
        {
            await Responses.WriteErrorAsync(context, taken.Status, taken.Error!);
            return;
        }

        await snapshot.HandleAsync(context, output.InputNumber);
    }
}
