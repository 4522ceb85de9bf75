using System.Diagnostics;

namespace MjpgStreamer.Native.Tests.Interop;

/// <summary>RegularFile (open + statx) and DescriptorLimit (prlimit64) against the real kernel.</summary>
public sealed class RegularFileTests
{
    [Fact]
    public void A_regular_file_opens_with_its_size_and_anything_else_is_refused_without_blocking()
    {
        var folder = Path.Combine(Path.GetTempPath(), "regular-file-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "a.txt");
            File.WriteAllBytes(file, new byte[12345]);
            File.CreateSymbolicLink(Path.Combine(folder, "link.txt"), file);
            using (var mkfifo = Process.Start("mkfifo", Path.Combine(folder, "fifo")))
            {
                mkfifo.WaitForExit();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            File.CreateSymbolicLink(Path.Combine(folder, "fifolink"), Path.Combine(folder, "fifo"));
            File.CreateSymbolicLink(Path.Combine(folder, "zero"), "/dev/zero");

            foreach (var name in new[] { "a.txt", "link.txt" })
            {
                Assert.Equal(RegularFile.Result.Opened, RegularFile.TryOpen(Path.Combine(folder, name), out var handle, out var size));
                using (handle)
                {
                    Assert.Equal(12345, size);
                    Assert.Equal(12345, RandomAccess.GetLength(handle!));
                }
            }

            foreach (var name in new[] { "fifo", "fifolink", "zero", "missing", "." })
            {
                Assert.Equal(RegularFile.Result.Refused, RegularFile.TryOpen(Path.Combine(folder, name), out var handle, out _));
                Assert.Null(handle);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_soft_descriptor_limit_is_readable_and_raising_it_never_lowers_it()
    {
        var before = DescriptorLimit.Current;
        Assert.NotNull(before);
        var (was, now, error) = DescriptorLimit.RaiseToHard();
        Assert.Equal(0, error);
        Assert.Equal(before, was);
        Assert.True(now >= was, $"{was} -> {now}");
        Assert.Equal(now, DescriptorLimit.Current);
    }
}
