using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Plugins;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Http;

/// <summary>
/// ?action=command: sets a control of an input (dest=0) or output (dest=1) and answers "ID: 0" (done) or
/// "ID: -1" (failed); 501 under -n. The request awaits the source, which touches its device on its own thread.
/// </summary>
internal sealed partial class CommandEndpoint(HttpOutputOptions options, Streamer streamer, ILogger logger)
{
    public async Task HandleAsync(HttpContext context, string rawTarget)
    {
        if (options.NoCommands)
        {
            await Responses.WriteErrorAsync(context, 501, "this server is configured to not accept commands");
            return;
        }

        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var parsed = CommandParser.Parse(question < 0 ? "" : rawTarget[(question + 1)..]);
        if (parsed.Command is not { } command)
        {
            await Responses.WriteErrorAsync(context, parsed.ErrorStatus, parsed.ErrorMessage!);
            return;
        }

        int result;
        switch (command.Dest)
        {
            case 0:
                result = command.Plugin >= 0 && command.Plugin < streamer.Inputs.Count
                    ? await streamer.Inputs[command.Plugin].Source.ExecuteCommandAsync(command, context.RequestAborted)
                    : -1;
                break;
            case 1:
                result = command.Plugin >= 0 && command.Plugin < streamer.Outputs.Count
                    ? await streamer.Outputs[command.Plugin].ExecuteCommandAsync(command, context.RequestAborted)
                    : -1;
                break;
            case 2:
                result = 0;
                break;
            default:
                LogIllegalDestination(logger, command.Dest);
                result = -1;
                break;
        }

        await Responses.WriteTextAsync(context, "text/plain", $"{parsed.Token}: {result}");
    }

    [LoggerMessage(EventId = LogEvents.CommandEndpointIllegalDestination, Level = LogLevel.Warning, Message = "Illegal command destination {Dest}")]
    private static partial void LogIllegalDestination(ILogger logger, int dest);
}
