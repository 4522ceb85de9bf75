using System.Text;
using Microsoft.AspNetCore.Http;

namespace MjpgStreamer.Http;

/// <summary>mjpg-streamer's response headers and error pages, byte for byte as the original sends them.</summary>
internal static class Responses
{
    public const string ServerName = "MJPG-Streamer/0.2";

    /// <summary>The five header lines the original sends with every response ("STD").</summary>
    public static void SetStandardHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.Connection = "close";
        headers.Server = ServerName;
        headers.CacheControl = "no-store, no-cache, must-revalidate, pre-check=0, post-check=0, max-age=0";
        headers.Pragma = "no-cache";
        headers.Expires = "Mon, 3 Jan 2000 12:34:56 GMT";
    }

    /// <summary>An error page: "code: Title!\r\nmessage" without a final newline, as the original.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain";
        SetStandardHeaders(response);
        if (status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"MJPG-Streamer\"";
        }

        var body = $"{status}: {Title(status)}!\r\n{message}";
        return WriteBodyAsync(context, body);
    }

    public static Task WriteTextAsync(HttpContext context, string contentType, string body)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        SetStandardHeaders(response);
        return WriteBodyAsync(context, body);
    }

    private static Task WriteBodyAsync(HttpContext context, string body)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        return context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), context.RequestAborted).AsTask();
    }

    private static string Title(int status) => status switch
    {
        400 => "Not Found", // sic: the original titles its 400 pages "Not Found"
        401 => "Not Authenticated",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
