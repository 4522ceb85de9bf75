using System.Net;
using System.Text;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>The page "/" shows without -w: a live image of each input and links to the API.</summary>
internal static class BuiltInPage
{
    public static string Render(Streamer streamer)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>MJPG-Streamer</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 1.5rem; background: #111; color: #eee; }
            a { color: #8cf; }
            figure { margin: 0 0 1.5rem 0; }
            img { max-width: 100%; background: #222; display: block; }
            code { background: #222; padding: 0 .3em; }
            </style>
            </head>
            <body>
            <h1>MJPG-Streamer</h1>

            """);
        if (streamer.Inputs.Count == 0)
        {
            sb.Append("<p>No input is configured (start with <code>-i \"input_….so …\"</code>).</p>\n");
        }

        foreach (var input in streamer.Inputs)
        {
            var suffix = input.Id == 0 ? "" : "_" + input.Id;
            sb.Append("<figure>\n<img src=\"?action=stream").Append(suffix).Append("\" alt=\"input ").Append(input.Id).Append("\">\n")
              .Append("<figcaption>input ").Append(input.Id).Append(": ").Append(WebUtility.HtmlEncode(input.Source.DisplayName))
              .Append(" — <a href=\"?action=stream").Append(suffix).Append("\">stream</a>, ")
              .Append("<a href=\"?action=snapshot").Append(suffix).Append("\">snapshot</a>, ")
              .Append("<a href=\"input").Append(suffix).Append(".json\">input").Append(suffix).Append(".json</a></figcaption>\n</figure>\n");
        }

        sb.Append("""
            <p><a href="program.json">program.json</a> · <a href="state">state</a> · <a href="output.json">output.json</a></p>
            </body>
            </html>

            """);
        return sb.ToString();
    }
}
