using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;

namespace MjpgStreamer.Http;

/// <summary>
/// program.json, input.json and output.json in the original's format (every number a string,
/// its line breaks), and our /state.
/// </summary>
internal static class JsonDocuments
{
    /// <summary>Menus with more indexes than this are listed sparsely (no V4L2 menu is anywhere near it).</summary>
    private const int MaxDenseMenu = 256;

    public static string Program(Streamer streamer)
    {
        var sb = new StringBuilder();
        sb.Append("{\n\"inputs\":[\n");
        AppendPlugins(sb, streamer.Inputs.Select(i => (i.Id, i.Source.DisplayName, i.Plugin, i.Args)));
        sb.Append("],\n\"outputs\":[\n");
        AppendPlugins(sb, streamer.Outputs.Select(o => (o.Id, o.DisplayName, o.Plugin, o.Args)));
        sb.Append("]}\n");
        return sb.ToString();
    }

    public static string Input(CameraStream input)
    {
        var sb = new StringBuilder();
        sb.Append("{\n\"controls\": [\n");
        AppendControls(sb, input.Source.Controls, dest: 0);
        sb.Append("],\n\"formats\": [\n");
        var formats = input.Source.Formats;
        for (var i = 0; i < formats.Count; i++)
        {
            var f = formats[i];
            sb.Append("{\n");
            Field(sb, "id", f.Index).Append(",\n");
            Field(sb, "name", f.Name).Append(",\n");
            Field(sb, "compressed", f.Compressed ? "true" : "false").Append(",\n");
            Field(sb, "emulated", f.Emulated ? "true" : "false").Append(",\n");
            Field(sb, "current", f.Current ? "true" : "false").Append(",\n");
            sb.Append("\"resolutions\": {");
            for (var r = 0; r < f.Resolutions.Count; r++)
            {
                sb.Append(r == 0 ? "" : ", ").Append('"').Append(r.ToString(CultureInfo.InvariantCulture)).Append("\": \"")
                    .Append(f.Resolutions[r].Width.ToString(CultureInfo.InvariantCulture)).Append('x')
                    .Append(f.Resolutions[r].Height.ToString(CultureInfo.InvariantCulture)).Append('"');
            }

            sb.Append('}');
            if (f.CurrentResolution is { } current)
            {
                sb.Append(",\n");
                Field(sb, "currentResolution", current);
            }

            sb.Append(i + 1 < formats.Count ? "\n},\n" : "\n}\n");
        }

        if (formats.Count == 0)
        {
            sb.Append('\n');
        }

        sb.Append("]\n}\n");
        return sb.ToString();
    }

    public static string Output(IOutput output)
    {
        var sb = new StringBuilder();
        sb.Append("{\n\"controls\": [\n");
        AppendControls(sb, output.Controls, dest: 1);
        sb.Append("]\n}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Our own state document (ustreamer has /state too): what each input and client is doing; "output" is the
    /// output that answers (the built-in page reads its -n from that output's "commands").
    /// </summary>
    public static byte[] State(Streamer streamer, int answeringOutput)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("uptime_s", Math.Round(streamer.Uptime.TotalSeconds, 3));
            w.WriteNumber("output", answeringOutput);
            WritePause(w, streamer);
            w.WriteStartArray("inputs");
            foreach (var input in streamer.Inputs)
            {
                WriteInputState(w, input, streamer.Time, streamer.ExistingShapesOf(input));
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var output in streamer.Outputs)
            {
                w.WriteStartObject();
                w.WriteNumber("id", output.Id);
                w.WriteString("plugin", output.Plugin);
                output.WriteState(w);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("gc");
            w.WriteNumber("gen0", GC.CollectionCount(0));
            w.WriteNumber("gen1", GC.CollectionCount(1));
            w.WriteNumber("gen2", GC.CollectionCount(2));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteInputState(Utf8JsonWriter w, CameraStream input, TimeProvider time, ShapedFrames? shapes)
    {
        var context = input.Context;
        w.WriteStartObject();
        w.WriteNumber("id", input.Id);
        w.WriteString("plugin", input.Plugin);
        w.WriteString("state", context.State.ToJsonName());
        if (context.Reason is { } reason)
        {
            w.WriteString("reason", reason);
        }
        else
        {
            w.WriteNull("reason");
        }

        var (width, height) = (0, 0);
        var frame = input.Hub.AcquireLastReal();
        if (frame is not null)
        {
            (width, height) = (frame.Width, frame.Height);
            frame.Release();
        }

        w.WriteNumber("width", width);
        w.WriteNumber("height", height);
        w.WriteNumber("fps_captured", Math.Round(context.Captured.PerSecond(), 2));
        w.WriteNumber("frames", input.Hub.FramesPublished);
        if (input.Hub.LastRealFrameTimestamp is { } last)
        {
            w.WriteNumber("last_frame_age_s", Math.Round(time.GetElapsedTime(last).TotalSeconds, 3));
        }
        else
        {
            w.WriteNull("last_frame_age_s");
        }

        w.WriteNumber("clients", input.Hub.Demand);
        if (input.PausedSince is { } since)
        {
            w.WriteString("paused_since", since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }

        WriteShapes(w, shapes);
        w.WriteEndObject();
    }

    /// <summary>The scaled streams being served from an input (issue 14): one entry per shape, with its cost.</summary>
    private static void WriteShapes(Utf8JsonWriter w, ShapedFrames? shapes)
    {
        w.WriteStartArray("shapes");
        foreach (var shape in shapes?.GetStats() ?? [])
        {
            w.WriteStartObject();
            w.WriteString("shape", shape.Shape.ToString());
            w.WriteNumber("quality", shape.Shape.Quality);
            w.WriteNumber("width", shape.Width);
            w.WriteNumber("height", shape.Height);
            w.WriteNumber("readers", shape.Readers);
            w.WriteNumber("frames_encoded", shape.FramesEncoded);
            w.WriteNumber("frames_not_due", shape.FramesNotDue);
            w.WriteNumber("failures", shape.Failures);
            w.WriteNumber("mean_ms", Math.Round(shape.MeanMs, 3));
            w.WriteNumber("last_ms", Math.Round(shape.LastMs, 3));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WritePause(Utf8JsonWriter w, Streamer streamer)
    {
        var status = streamer.Pause?.Status;
        w.WriteStartObject("pause");
        w.WriteBoolean("paused", status?.Paused ?? false);
        WriteStringOrNull(w, "source", status?.Source);
        WriteStringOrNull(w, "lock_file", status?.LockFile);
        WriteStringOrNull(w, "since", status?.Since?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        WriteStringOrNull(w, "warning", status?.Warning);
        w.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>The answer to ?action=pause / resume: the pause and each input's state.</summary>
    public static string PauseAnswer(Streamer streamer)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WritePause(w, streamer);
            w.WriteStartArray("inputs");
            foreach (var input in streamer.Inputs)
            {
                w.WriteStartObject();
                w.WriteNumber("id", input.Id);
                w.WriteString("state", input.Context.State.ToJsonName());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void AppendPlugins(StringBuilder sb, IEnumerable<(int Id, string Name, string Plugin, string Args)> plugins)
    {
        var first = true;
        foreach (var (id, name, plugin, args) in plugins)
        {
            if (!first)
            {
                sb.Append("}, \n");
            }

            first = false;
            sb.Append("{\n");
            Field(sb, "id", id).Append(",\n");
            Field(sb, "name", name).Append(",\n");
            Field(sb, "plugin", plugin).Append(",\n");
            Field(sb, "args", args.Length == 0 ? "(null)" : args).Append('\n');
        }

        if (!first)
        {
            sb.Append("}\n");
        }
    }

    private static void AppendControls(StringBuilder sb, IReadOnlyList<Control> controls, int dest)
    {
        for (var i = 0; i < controls.Count; i++)
        {
            var c = controls[i];
            sb.Append("{\n");
            Field(sb, "name", c.Name).Append(",\n");
            Field(sb, "id", c.Id).Append(",\n");
            Field(sb, "type", c.Type).Append(",\n");
            Field(sb, "min", c.Min).Append(",\n");
            Field(sb, "max", c.Max).Append(",\n");
            Field(sb, "step", c.Step).Append(",\n");
            Field(sb, "default", c.Default).Append(",\n");
            Field(sb, "value", c.Value).Append(",\n");
            Field(sb, "dest", dest).Append(",\n");
            Field(sb, "flags", c.Flags).Append(",\n");
            Field(sb, "group", c.Group);
            if (c.Menu is { } menu)
            {
                AppendMenu(sb, c, menu);
            }

            sb.Append(i + 1 < controls.Count ? "\n},\n" : "\n}\n");
        }

        if (controls.Count == 0)
        {
            sb.Append('\n');
        }
    }

    /// <summary>
    /// The original lists every index from min to max, with "" for those the driver does not have
    /// ({"0": "", "1": "Manual Mode", "2": "", "3": "Aperture Priority Mode"}); Octolapse recognises known
    /// cameras by comparing these menus exactly. A range too large to be a real menu lists the known items only.
    /// </summary>
    private static void AppendMenu(StringBuilder sb, Control control, IReadOnlyDictionary<int, string> menu)
    {
        sb.Append(",\n\"menu\": {");
        var firstItem = true;
        var dense = control.Min >= int.MinValue && control.Max - control.Min is >= 0 and < MaxDenseMenu;
        var indexes = dense
            ? Enumerable.Range((int)control.Min, (int)(control.Max - control.Min) + 1)
            : menu.Keys.Order();
        foreach (var index in indexes)
        {
            sb.Append(firstItem ? "" : ", ").Append('"').Append(index.ToString(CultureInfo.InvariantCulture)).Append("\": ");
            AppendString(sb, menu.TryGetValue(index, out var label) ? label : "");
            firstItem = false;
        }

        sb.Append('}');
    }

    private static StringBuilder Field(StringBuilder sb, string name, long value) =>
        Field(sb, name, value.ToString(CultureInfo.InvariantCulture));

    private static StringBuilder Field(StringBuilder sb, string name, string value)
    {
        sb.Append('"').Append(name).Append("\": ");
        AppendString(sb, value);
        return sb;
    }

    /// <summary>A JSON string, escaped (the original did not escape names; we do, so a quote cannot break the JSON).</summary>
    private static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case < ' ':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        sb.Append('"');
    }
}
