using System.Text;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.CommandLine;

/// <summary>The global help text (mjpg-streamer's layout, with our additions); the plugin lists come from <see cref="PluginTable"/>.</summary>
internal static class Usage
{
    public const string Hint = "Try 'mjpg_streamer -h' for more information.";

    public static string Text => $$"""
        -----------------------------------------------------------------------
        Usage: mjpg_streamer
          -i | --input "<input-plugin.so> [parameters]"
          -o | --output "<output-plugin.so> [parameters]"
         [-h | --help ]........: display this help
         [-v | --version ].....: display version information
         [-b | --background]...: fork to the background, daemon mode
         [--pause-file PATH]...: release every camera while PATH exists, clients stay
                                 connected (default /run/mjpg_streamer_paused.lock; none: off)
         [--pause-warn SECONDS]: warn once about a pause longer than this (default 600)
         [--pause-frame last|placeholder]: sent about once a second while paused
        -----------------------------------------------------------------------
        {{PluginLists}}
        -----------------------------------------------------------------------
        Without -i and -o it streams the first camera, else the built-in test pattern,
        on http://127.0.0.1:8080/.
        Plugin names may be given with or without a path and ".so".
        Plugin arguments are split on spaces; double quotes group words.
        -----------------------------------------------------------------------
        Example #1:
         To stream a folder of JPEGs via HTTP on port 8080:
          mjpg_streamer -i "input_file.so -f /srv/frames -d 0.05 -e" -o "output_http.so -p 8080"
        -----------------------------------------------------------------------
        Example #2:
         To stream a camera through ffmpeg via HTTP port 8090:
          mjpg_streamer -i "input_exec.so -- ffmpeg -f v4l2 -i /dev/video0 -f mjpeg -" -o "output_http.so -p 8090"
        -----------------------------------------------------------------------
        Example #3:
         To get help for a certain input plugin:
          mjpg_streamer -i "input_file.so --help"
        -----------------------------------------------------------------------

        """ + Tools.ToolCommands.UsageParagraph;

    /// <summary>"Input plugins:" and "Output plugins:", one line per plugin of the table.</summary>
    private static string PluginLists
    {
        get
        {
            var width = PluginTable.Inputs.Select(p => p.Name.Length).Concat(PluginTable.Outputs.Select(p => p.Name.Length)).Max() + 1;
            var text = new StringBuilder("Input plugins:\n");
            foreach (var plugin in PluginTable.Inputs)
            {
                text.Append("  ").Append(plugin.Name.PadRight(width)).Append(plugin.Summary).Append('\n');
            }

            text.Append("Output plugins:\n");
            foreach (var plugin in PluginTable.Outputs)
            {
                text.Append("  ").Append(plugin.Name.PadRight(width)).Append(plugin.Summary).Append('\n');
            }

            return text.ToString().TrimEnd('\n');
        }
    }
}
