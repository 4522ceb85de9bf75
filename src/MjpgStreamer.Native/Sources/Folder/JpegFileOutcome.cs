namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>What became of one file input_file.so tried to show.</summary>
internal enum JpegFileOutcome
{
    /// <summary>A complete JPEG (and, from <see cref="FolderFileHandler"/>, published).</summary>
    Good,

    /// <summary>Empty, too large, unreadable, or not a complete JPEG.</summary>
    Invalid,

    /// <summary>The file was gone before it could be opened.</summary>
    Missing,
}
