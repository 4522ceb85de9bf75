namespace MjpgStreamer.Native.Sources.Folder;

/// <summary>One listed .jpg file of the -e loop, and whether its problem was logged already.</summary>
internal sealed class FolderEntry(string path, string name)
{
    public string Path { get; } = path;

    public string Name { get; } = name;

    /// <summary>A warning about this file was logged and it has not been good since: do not repeat it every loop.</summary>
    public bool Warned { get; set; }
}
