using Microsoft.AspNetCore.Http;

namespace MjpgStreamer.Http;

/// <summary>
/// The built-in page (<see cref="PageAssets"/>): always at "/ui/" ("/ui" redirects there), and at "/" with its
/// files and "/favicon.ico" when no -w folder is given (<see cref="FileEndpoint"/> asks for those). Every URL in the
/// page is relative, so it works unchanged behind a proxy that strips a path prefix (OctoPi's "/webcam/").
/// Answers carry an ETag and "no-cache": a browser asks again each time and gets a 304 while nothing changed.
/// </summary>
internal static class PageEndpoint
{
    /// <summary>A request for "/ui" or anything under "/ui/".</summary>
    public static Task HandleAsync(HttpContext context, string rawTarget)
    {
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        if (path == "/ui")
        {
            // Relative, so "/webcam/ui" behind a proxy goes to "/webcam/ui/".
            var response = context.Response;
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            response.Headers.Location = "ui/";
            response.Headers.Server = Responses.ServerName;
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        var name = path["/ui/".Length..];
        return PageAssets.Find(name.Length == 0 ? PageAssets.Index : name) is { } asset
            ? WriteAsync(context, asset)
            : Responses.WriteErrorAsync(context, 404, "no such file in the built-in page");
    }

    public static Task WriteAsync(HttpContext context, PageAsset asset)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        headers.Server = Responses.ServerName;
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        if (asset.Name == PageAssets.Index)
        {
            // Nothing but this server's own files and the pictures the page makes from its stream.
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'";
            headers["Referrer-Policy"] = "no-referrer";
        }

        if (request.Headers.IfNoneMatch.ToString().Contains(asset.ETag, StringComparison.Ordinal))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(asset.Bytes, context.RequestAborted).AsTask();
    }
}
