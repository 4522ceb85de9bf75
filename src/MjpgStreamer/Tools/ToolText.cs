using System.Text;

namespace MjpgStreamer.Tools;

/// <summary>Text helpers: a helper verb's failure must stay on one line whatever a server or an exception says.</summary>
internal static class ToolText
{
    public static string OneLine(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }
}
