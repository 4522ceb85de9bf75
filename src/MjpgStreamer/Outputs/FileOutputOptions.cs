using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Outputs;

/// <summary>output_file.so's options: the original's letters, long names, defaults and help text.</summary>
internal sealed record FileOutputOptions(
    OutputFolder Folder,
    string? MjpegFile,
    string? Link,
    int DelayMs,
    int Input,
    int Size,
    int Exceed,
    IReadOnlyList<string>? Command)
{
    public const string DefaultFolder = "/tmp";

    public static readonly IReadOnlyList<OptionSpec> Specs =
    [
        new("f", true, "f", "folder"),
        new("m", true, "m", "mjpeg"),
        new("l", true, "l", "link"),
        new("d", true, "d", "delay"),
        new("i", true, "i", "input"),
        new("s", true, "s", "size"),
        new("e", true, "e", "exceed"),
        new("c", true, "c", "command"),
    ];

    public static readonly string Help = PluginHelp.Format(
        "output",
        "FILE output plugin",
        ("[-f | --folder ]", "folder to save pictures (default /tmp)"),
        ("[-l | --link ]", "link the last picture in ringbuffer as this fixed\nnamed file (in the folder)"),
        ("[-d | --delay ]", "delay after saving pictures in ms"),
        ("[-i | --input ]", "read frames from the specified input plugin"),
        ("[-s | --size ]", "size of ring buffer (max number of pictures to hold)"),
        ("[-e | --exceed ]", "allow ringbuffer to exceed limit by this amount"),
        ("[-c | --command ]", "execute command after saving picture (no shell; the\nfile is its last argument and MJPG_FILE)"),
        ("[-m | --mjpeg ]", "save the frames to an mjpg file (in the folder)"));

    public static FileOutputOptions From(ParsedOptions options)
    {
        var folder = OutputFolder.FromOption(options.Plugin, options.Get("f"), DefaultFolder);
        var mjpeg = options.Get("m");
        if (mjpeg is { Length: 0 })
        {
            throw new UsageException($"{options.Plugin}: -m needs a file name");
        }

        var link = options.Get("l");
        if (link is not null && OutputFolder.Refusal(link) is { } refused)
        {
            throw new UsageException($"{options.Plugin}: -l {refused}");
        }

        return new FileOutputOptions(
            folder,
            mjpeg,
            link,
            options.GetInt("d", 0, 0),
            options.GetInt("i", 0, 0),
            options.GetInt("s", -1, -1),
            options.GetInt("e", 0, 0),
            OutputCommand.ParseOption(options.Plugin, options.Get("c")));
    }
}
