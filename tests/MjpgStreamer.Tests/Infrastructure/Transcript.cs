using System.Text;

namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>One captured exchange with the original mjpg-streamer: the request bytes and its raw response.</summary>
public sealed class Transcript
{
    public required string Name { get; init; }

    public required byte[] Request { get; init; }

    public required byte[] RawResponse { get; init; }

    public static Transcript Load(string number)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Transcripts");
        var text = Directory.GetFiles(folder, number + "-*.txt").Single();
        var raw = Directory.GetFiles(Path.Combine(folder, "raw"), number + "-*.response.bin").Single();
        return new Transcript
        {
            Name = Path.GetFileNameWithoutExtension(text),
            Request = ParseRequest(File.ReadAllLines(text)),
            RawResponse = File.ReadAllBytes(raw),
        };
    }

    /// <summary>
    /// The request block ends with one blank separator line; a line written with a literal "\r\n" had
    /// CRLF on the wire, any other line a bare LF.
    /// </summary>
    private static byte[] ParseRequest(string[] lines)
    {
        var start = Array.FindIndex(lines, l => l.StartsWith("### REQUEST", StringComparison.Ordinal)) + 1;
        var end = Array.FindIndex(lines, l => l.StartsWith("### RESPONSE", StringComparison.Ordinal));
        var block = lines[start..end];
        var last = Array.FindLastIndex(block, l => l.Length == 0);
        var sb = new StringBuilder();
        foreach (var line in block[..last])
        {
            sb.Append(line.EndsWith("\\r\\n", StringComparison.Ordinal) ? line[..^4] + "\r\n" : line + "\n");
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
