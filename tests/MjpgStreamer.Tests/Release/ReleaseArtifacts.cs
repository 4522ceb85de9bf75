using System.Collections.Concurrent;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Release;

/// <summary>
/// The release tarballs in MJPG_STREAMER_ARTIFACTS (test.sh: out/artifacts, made by ./build-release.sh), each unpacked
/// once with tar into a temp folder that goes when the test class is done.
/// </summary>
public sealed class ReleaseArtifacts : IDisposable
{
    private const string FolderVariable = "MJPG_STREAMER_ARTIFACTS";
    private readonly string _scratch = Directory.CreateTempSubdirectory("mjpg-release-").FullName;
    private readonly ConcurrentDictionary<string, Lazy<string>> _unpacked = new(StringComparer.Ordinal);

    public static string Folder => Environment.GetEnvironmentVariable(FolderVariable) ?? throw new InvalidOperationException(FolderVariable + " is not set");

    /// <summary>The version in the tarballs' names (mjpg-streamer-VERSION-linux-x64.tar.gz).</summary>
    public static string Version
    {
        get
        {
            var name = Path.GetFileName(Directory.GetFiles(Folder, "mjpg-streamer-*-linux-x64.tar.gz").Single());
            return name["mjpg-streamer-".Length..^"-linux-x64.tar.gz".Length];
        }
    }

    /// <summary>The arm64 fake camera library (test.sh: make -C tests/native/fakecam arm64).</summary>
    public static string Arm64FakeCamera =>
        Environment.GetEnvironmentVariable("MJPG_STREAMER_FAKECAM_ARM64") ?? throw new InvalidOperationException("MJPG_STREAMER_FAKECAM_ARM64 is not set");

    /// <summary>Why the release tests cannot run here; null when they can.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder && Directory.Exists(folder)
            ? null
            : $"no release tarballs: {FolderVariable} names no folder (./test.sh builds them with ./build-release.sh out/artifacts)";

    /// <summary>Why the arm64 executable cannot run under qemu here (test.sh says it in MJPG_STREAMER_QEMU_SKIP); null when it can.</summary>
    public static string? QemuSkipReason =>
        SkipReason ?? (Environment.GetEnvironmentVariable("MJPG_STREAMER_QEMU_SKIP") is { Length: > 0 } reason ? reason
            : Environment.GetEnvironmentVariable("MJPG_STREAMER_FAKECAM_ARM64") is not { Length: > 0 } ? "MJPG_STREAMER_FAKECAM_ARM64 is not set (./test.sh builds the arm64 fake camera)" : null);

    /// <summary>The folder of mjpg-streamer-VERSION-FLAVOUR.tar.gz once unpacked (the tarball's top folder).</summary>
    public string Unpacked(string flavour) =>
        _unpacked.GetOrAdd(flavour, f => new Lazy<string>(() => Unpack(f), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Unpack(string flavour)
    {
        var name = $"mjpg-streamer-{Version}-{flavour}";
        var tarball = Path.Combine(Folder, name + ".tar.gz");
        var target = Path.Combine(_scratch, flavour);
        Directory.CreateDirectory(target);
        var tar = ProgramRun.RunToolAsync("tar", "-xzf", tarball, "-C", target).GetAwaiter().GetResult();
        if (tar.ExitCode != 0)
        {
            throw new InvalidOperationException($"tar -xzf {tarball}: {tar.Stderr}");
        }

        // One top folder named like the tarball, nothing beside it.
        var top = Assert.Single(Directory.EnumerateFileSystemEntries(target));
        Assert.Equal(name, Path.GetFileName(top));
        return top;
    }
}

/// <summary>A fact about the release tarballs: skipped, with the reason, when there are none to test.</summary>
public sealed class ReleaseFactAttribute : FactAttribute
{
    public ReleaseFactAttribute()
    {
        Skip = ReleaseArtifacts.SkipReason;
    }
}

/// <summary>A theory about the release tarballs: skipped, with the reason, when there are none to test.</summary>
public sealed class ReleaseTheoryAttribute : TheoryAttribute
{
    public ReleaseTheoryAttribute()
    {
        Skip = ReleaseArtifacts.SkipReason;
    }
}

/// <summary>A fact that runs the arm64 executable under qemu-aarch64: skipped, with the reason, where qemu-user is not installed.</summary>
public sealed class QemuFactAttribute : FactAttribute
{
    public QemuFactAttribute()
    {
        Skip = ReleaseArtifacts.QemuSkipReason;
    }
}
