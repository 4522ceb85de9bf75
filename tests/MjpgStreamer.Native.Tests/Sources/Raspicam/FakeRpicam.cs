namespace MjpgStreamer.Native.Tests.Sources.Raspicam;

/// <summary>
/// Stand-ins for rpicam-vid and rpicam-still in a private folder (the source's search path): each records its
/// argv in <see cref="ArgsLog"/> (one word a line, "--end--" after each run), then plays the camera with ffmpeg
/// at the size and rate it was given. The still stand-in refuses (exit 1, "camera busy") while the stream's
/// ffmpeg still runs, as the real camera would.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FakeRpicam : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mjpg-rpicam-");

    public FakeRpicam(string videoName = "rpicam-vid", string videoExtra = "", string stillName = "rpicam-still", string stillMode = "ok")
    {
        Bin = Path.Join(_root.FullName, "bin");
        Directory.CreateDirectory(Bin);
        ArgsLog = Path.Join(_root.FullName, "args.log");
        VideoPidFile = Path.Join(_root.FullName, "video.pid");
        if (videoName.Length > 0)
        {
            Write(videoName, $$"""
                echo $$ > '{{VideoPidFile}}'
                {{ParseSize("640", "480", "5")}}
                {{videoExtra}}
                exec ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=${w}x${h}:rate=$f -f mjpeg -
                """);
        }

        if (stillName.Length > 0)
        {
            var body = stillMode switch
            {
                "ok" => "exec ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=${w}x${h}:rate=1 -frames:v 1 -f mjpeg -",
                "fail" => "echo 'Preparing camera' >&2; echo 'ERROR: *** no cameras available ***' >&2; exit 255",
                "hang" => "echo 'waiting for the sensor' >&2; trap '' TERM; while :; do sleep 0.05; done",
                "garbage" => "echo 'this is not a picture'",
                "empty" => "exit 0",
                "huge" => "head -c 3000000 /dev/zero",
                _ => throw new ArgumentOutOfRangeException(nameof(stillMode)),
            };
            Write(stillName, $"""
                if [ -s '{VideoPidFile}' ] && kill -0 "$(cat '{VideoPidFile}')" 2>/dev/null; then echo 'ERROR: camera busy' >&2; exit 1; fi
                {ParseSize("800", "600", "1")}
                {body}
                """);
        }
    }

    /// <summary>The folder holding the stand-ins (give it to the source as its search path, or put it first on PATH).</summary>
    public string Bin { get; }

    public string ArgsLog { get; }

    public string VideoPidFile { get; }

    /// <summary>Every run so far: the program's name, then its arguments.</summary>
    public List<string[]> Runs()
    {
        var runs = new List<string[]>();
        if (!File.Exists(ArgsLog))
        {
            return runs;
        }

        var current = new List<string>();
        foreach (var line in File.ReadAllLines(ArgsLog))
        {
            if (line == "--end--")
            {
                runs.Add([.. current]);
                current.Clear();
            }
            else
            {
                current.Add(line);
            }
        }

        return runs;
    }

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string ParseSize(string width, string height, string rate) => $$"""
        w={{width}}; h={{height}}; f={{rate}}
        while [ $# -gt 0 ]; do
          case "$1" in
            --width) w=$2; shift ;;
            --height) h=$2; shift ;;
            --framerate) f=$2; shift ;;
          esac
          shift
        done
        """;

    private void Write(string name, string body)
    {
        var path = Path.Join(Bin, name);
        File.WriteAllText(path, $$"""
            #!/bin/sh
            { basename "$0"; for a in "$@"; do printf '%s\n' "$a"; done; echo --end--; } >> '{{ArgsLog}}'
            {{body}}

            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
