using Microsoft.AspNetCore.Http;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// Every other request: a file from the -w folder with mjpg-streamer's MIME table ("/" is index.html), or,
/// without -w, the built-in page with a live image of each input.
/// </summary>
internal sealed class FileEndpoint(HttpOutputOptions options, Streamer streamer)
{
    public async Task HandleAsync(HttpContext context, string rawTarget)
    {
        var name = StaticFiles.NameFromTarget(rawTarget);
        if (options.WwwFolder is null)
        {
            if (name.Length == 0)
            {
                await Responses.WriteTextAsync(context, "text/html", BuiltInPage.Render(streamer));
                return;
            }

            await Responses.WriteErrorAsync(context, 501, "no www-folder configured");
            return;
        }

        if (name.Length == 0)
        {
            name = "index.html";
        }

        switch (StaticFiles.ContentTypeFor(name, out var contentType))
        {
            case StaticFiles.Lookup.NoExtension:
                await Responses.WriteErrorAsync(context, 400, "No file extension found");
                return;
            case StaticFiles.Lookup.UnknownType:
                await Responses.WriteErrorAsync(context, 404, "MIME-TYPE not known");
                return;
        }

        FileStream file;
        try
        {
            // Symlinks placed in the folder are followed (the pause fork's www/snap.jpg -> /run/snap.jpg).
            file = new FileStream(Path.Combine(options.WwwFolder, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Responses.WriteErrorAsync(context, 404, "Could not open file");
            return;
        }

        await using (file)
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = contentType;
            Responses.SetStandardHeaders(response);
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await file.CopyToAsync(response.Body, context.RequestAborted);
            }
        }
    }
}
