using System.Text;

namespace MjpgStreamer.Core.Options;

/// <summary>Help text in mjpg-streamer's layout, so users find what they know.</summary>
public static class PluginHelp
{
    private const string Rule = " ---------------------------------------------------------------";

    /// <param name="kind">"input" or "output".</param>
    /// <param name="displayName">The plugin's display name.</param>
    /// <param name="options">Pairs of "[-d | --delay ]" and the explanation.</param>
    public static string Format(string kind, string displayName, params (string Option, string Text)[] options)
    {
        // The original pads input plugins' option names to column 24 and output plugins' to column 25.
        var width = kind == "input" ? 24 : 25;
        var sb = new StringBuilder();
        sb.Append(Rule).Append('\n');
        sb.Append(" Help for ").Append(kind).Append(" plugin..: ").Append(displayName).Append('\n');
        sb.Append(Rule).Append('\n');
        sb.Append(" The following parameters can be passed to this plugin:\n\n");
        foreach (var (option, text) in options)
        {
            var head = " " + option;
            sb.Append(head);
            if (head.Length < width)
            {
                sb.Append('.', width - head.Length);
            }

            sb.Append(": ");
            var lines = text.Split('\n');
            sb.Append(lines[0]).Append('\n');
            foreach (var more in lines.Skip(1))
            {
                sb.Append(' ', width + 2).Append(more).Append('\n');
            }
        }

        sb.Append(Rule).Append('\n');
        return sb.ToString();
    }
}
