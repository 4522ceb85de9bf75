using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Win32.SafeHandles;
using MjpgStreamer.Native;

namespace MjpgStreamer.Http;

/// <summary>
/// Every other request: a file from the -w folder with mjpg-streamer's MIME table ("/" is index.html), or,
/// without -w, the built-in page (<see cref="PageEndpoint"/>) at "/" with its files. "/favicon.ico" is the page's
/// icon unless the -w folder has one. Only regular files are served (a FIFO, a device or a link to one is a 404),
/// and no more than the size the file had when it was opened.
/// </summary>
internal sealed class FileEndpoint(HttpOutputOptions options)
{
    private const int ChunkSize = 64 * 1024;

    public async Task HandleAsync(HttpContext context, string rawTarget)
    {
        var name = StaticFiles.NameFromTarget(rawTarget);
        if (options.WwwFolder is null)
        {
            if (name.Length == 0 || PageAssets.IsRootAsset(name))
            {
                await PageEndpoint.WriteAsync(context, PageAssets.Find(name.Length == 0 ? PageAssets.Index : name)!);
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

        // Symlinks placed in the folder are followed (the pause fork's www/snap.jpg -> /run/snap.jpg), but only to a
        // regular file: a FIFO or a device (or a link to one) is refused at once instead of stalling the request.
        if (RegularFile.TryOpen(Path.Combine(options.WwwFolder, name), out var handle, out var size) != RegularFile.Result.Opened)
        {
            if (name == PageAssets.Favicon)
            {
                // Browsers ask every server for it: our icon, not a 404 in the console, unless the folder has its own.
                await PageEndpoint.WriteAsync(context, PageAssets.Find(name)!);
                return;
            }

            await Responses.WriteErrorAsync(context, 404, "Could not open file");
            return;
        }

        using (handle)
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = contentType;
            Responses.SetStandardHeaders(response);
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await CopyAsync(handle!, size, response.Body, context.RequestAborted);
            }
        }
    }

    /// <summary>At most <paramref name="size"/> bytes (the size when the file was opened), fewer if it shrank meanwhile.</summary>
    private static async Task CopyAsync(SafeFileHandle handle, long size, Stream body, CancellationToken cancellation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(size, 1, ChunkSize));
        try
        {
            for (long offset = 0; offset < size;)
            {
                var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - offset)), offset, cancellation);
                if (read == 0)
                {
                    break;
                }

                await body.WriteAsync(buffer.AsMemory(0, read), cancellation);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
