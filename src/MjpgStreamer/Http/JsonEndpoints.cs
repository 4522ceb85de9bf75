using Microsoft.AspNetCore.Http;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// The JSON answers: mjpg-streamer's input.json, output.json and program.json (as application/x-javascript,
/// as the original), and our /state.
/// </summary>
internal sealed class JsonEndpoints(int outputId, Streamer streamer)
{
    private const string JavascriptType = "application/x-javascript";

    public Task InputAsync(HttpContext context, int inputNumber) =>
        inputNumber < streamer.Inputs.Count
            ? Responses.WriteTextAsync(context, JavascriptType, JsonDocuments.Input(streamer.Inputs[inputNumber]))
            : Responses.WriteErrorAsync(context, 404, "Invalid input plugin number");

    public Task OutputAsync(HttpContext context, int outputNumber) =>
        outputNumber < streamer.Outputs.Count
            ? Responses.WriteTextAsync(context, JavascriptType, JsonDocuments.Output(streamer.Outputs[outputNumber]))
            : Responses.WriteErrorAsync(context, 404, "Invalid output plugin number");

    public Task ProgramAsync(HttpContext context) =>
        Responses.WriteTextAsync(context, JavascriptType, JsonDocuments.Program(streamer));

    public async Task StateAsync(HttpContext context)
    {
        var body = JsonDocuments.State(streamer, outputId);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        Responses.SetStandardHeaders(response);
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
