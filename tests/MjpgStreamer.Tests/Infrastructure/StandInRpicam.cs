namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>
/// A stand-in rpicam-vid for tests that run input_raspicam.so (put <c>bin</c> first on the server's PATH): it appends
/// its program name, its arguments (one per line) and "--end--" to a log, and streams MJPEG test frames of the size
/// and rate it is asked for (--width, --height, --framerate; default 640x480 at 5 fps) through ffmpeg.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class StandInRpicam
{
    /// <summary>Writes <c>bin/rpicam-vid</c> (executable), logging to <paramref name="argsLog"/>; returns its path.</summary>
    public static string WriteVid(string bin, string argsLog)
    {
        Directory.CreateDirectory(bin);
        var script = $$"""
            #!/bin/sh
            { basename "$0"; for a in "$@"; do printf '%s\n' "$a"; done; echo --end--; } >> '{{argsLog}}'
            w=640; h=480; f=5
            while [ $# -gt 0 ]; do
              case "$1" in
                --width) w=$2; shift ;;
                --height) h=$2; shift ;;
                --framerate) f=$2; shift ;;
              esac
              shift
            done
            exec ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=${w}x${h}:rate=$f -f mjpeg -

            """;
        var path = Path.Combine(bin, "rpicam-vid");
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
