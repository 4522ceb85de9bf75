namespace MjpgStreamer.Native.Tests.TestSupport;

/// <summary>A fresh folder under /tmp, deleted with everything in it at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mjpg-folder-");

    public TempFolder()
    {
        Path = System.IO.Path.Join(_root.FullName, "frames");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder the source reads ("frames" inside a private root, so it can be deleted and re-created).</summary>
    public string Path { get; }

    /// <summary>A sibling folder on the same file system, for writing files that are then moved in.</summary>
    public string Staging
    {
        get
        {
            var staging = System.IO.Path.Join(_root.FullName, "staging");
            Directory.CreateDirectory(staging);
            return staging;
        }
    }

    public string File(string name) => System.IO.Path.Join(Path, name);

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
}
