using System.Text;

namespace MjpgStreamer.CaptureBench;

/// <summary>A plain-text table: first column left-aligned, the others (numbers) right-aligned.</summary>
internal sealed class TextTable
{
    private readonly string[] _header;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] header)
    {
        _header = header;
    }

    public void Add(params string[] row)
    {
        if (row.Length != _header.Length)
        {
            throw new ArgumentException($"a row of {row.Length} cells in a table of {_header.Length} columns", nameof(row));
        }

        _rows.Add(row);
    }

    public override string ToString()
    {
        var widths = new int[_header.Length];
        foreach (var row in _rows.Prepend(_header))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        Line(text, _header, widths);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] row, int[] widths)
    {
        for (var i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                text.Append("  ");
            }

            text.Append(i == 0 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
        }

        text.Append('\n');
    }
}
