using System.Globalization;
using System.Text;
using MjpgStreamer.Core.Sources;

namespace MjpgStreamer.Http;

/// <summary>
/// Parses ?action=command parameters as the original does: the run of [A-Za-z0-9_-=&amp;%./] after the action, cut to
/// 100 characters and %-decoded; id= is required and echoed back as its token.
/// </summary>
internal static class CommandParser
{
    private const int MaxParameterLength = 100;

    public sealed record Result(CommandRequest? Command, string Token, int ErrorStatus, string? ErrorMessage);

    /// <param name="query">The raw query string without "?".</param>
    public static Result Parse(string query)
    {
        var at = query.IndexOf("action=command", StringComparison.Ordinal);
        var rest = at < 0 ? query : query[..at] + query[(at + "action=command".Length)..];
        var length = 0;
        while (length < rest.Length && length < MaxParameterLength && IsParameterChar(rest[length]))
        {
            length++;
        }

        if (!TryUnescape(rest[..length], out var parameters))
        {
            return new Result(null, "", 500, "could not properly unescape command parameter string");
        }

        if (parameters.Trim('&').Length == 0 || parameters.Length >= 255)
        {
            return new Result(null, "", 400, "Parameter-string of command does not look valid.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parameters.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values.TryAdd(pair[..eq], pair[(eq + 1)..]);
            }
        }

        if (!values.TryGetValue("id", out var idText))
        {
            return new Result(null, "", 400, "no GET variable \"id=...\" found, it is required to specify which command id to execute");
        }

        var token = LeadingRun(idText, static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        var command = new CommandRequest(
            Id: LeadingInteger(token),
            Value: values.TryGetValue("value", out var v) ? LeadingInteger(v) : 0,
            Group: values.TryGetValue("group", out var g) ? LeadingInteger(g) : 0,
            Dest: values.TryGetValue("dest", out var d) ? LeadingInteger(d) : 0,
            Plugin: values.TryGetValue("plugin", out var p) ? LeadingInteger(p) : 0,
            StringValue: values.GetValueOrDefault("value"));
        return new Result(command, token, 0, null);
    }

    private static bool IsParameterChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '=' or '&' or '%' or '.' or '/';

    internal static bool TryUnescape(string text, out string result)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                bytes.Add((byte)text[i]);
                continue;
            }

            if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                result = "";
                return false;
            }

            bytes.Add(b);
            i += 2;
        }

        result = Encoding.Latin1.GetString(bytes.ToArray());
        return true;
    }

    private static string LeadingRun(string text, Func<char, bool> allowed)
    {
        var n = 0;
        while (n < text.Length && allowed(text[n]))
        {
            n++;
        }

        return text[..n];
    }

    /// <summary>The leading [-0-9]* as an integer (0 when none), as the original's strtol use.</summary>
    private static int LeadingInteger(string text)
    {
        var run = LeadingRun(text, static c => char.IsAsciiDigit(c) || c == '-');
        var n = run.Length > 1 ? 1 + run[1..].TakeWhile(char.IsAsciiDigit).Count() : run.Length;
        return int.TryParse(run.AsSpan(0, n), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }
}
