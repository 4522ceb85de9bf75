namespace MjpgStreamer.Core.Sources;

/// <summary>The "group" of ?action=command, numbered as the original numbers them: which kind of setting a command changes.</summary>
public static class CommandGroups
{
    /// <summary>Plugin-defined controls (output_file's snapshot).</summary>
    public const int Generic = 0;

    /// <summary>A V4L2 control of the camera.</summary>
    public const int V4l2 = 1;

    /// <summary>The value is an index into the current format's list of sizes.</summary>
    public const int Resolution = 2;

    /// <summary>The camera's (or our encoder's) JPEG quality, 0 to 100.</summary>
    public const int JpegQuality = 3;
}
