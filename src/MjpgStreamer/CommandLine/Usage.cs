namespace MjpgStreamer.CommandLine;

/// <summary>The global help text (mjpg-streamer's layout, with our additions).</summary>
internal static class Usage
{
    public const string Hint = "Try 'mjpg_streamer -h' for more information.";

    public static string Text => """
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
        Input plugins:
          input_uvc.so         a V4L2/UVC camera (-d DEVICE -r WxH -f FPS -y -q QUALITY ...)
          input_raspicam.so    the Raspberry Pi camera via rpicam-vid (-x W -y H -fps FPS ...)
          input_file.so        JPEG files from a folder (-f DIR -d SECONDS -e -r -n NAME)
          input_testpattern.so a moving test picture with a clock (-r WxH -f FPS -q QUALITY)
          input_exec.so        MJPEG from a program's stdout (-r WxH -- PROGRAM ARGS...)
        Output plugins:
          output_http.so       HTTP server (-p PORT -l ADDRESS -w FOLDER -c USER:PASS -n)
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
}
