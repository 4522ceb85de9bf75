using MjpgStreamer.Native.Memory;

namespace MjpgStreamer.Native.Tests.Memory;

/// <summary>Which of the executable's mappings may be unmapped after starting: read-only, resident, no copy-on-write page.</summary>
public sealed class StartupPagesTests
{
    private const string Exe = "/usr/local/bin/mjpg streamer";

    private static string Mapping(string range, string permissions, string path, int rss, int privateDirty = 0, int anonymous = 0) =>
        $"""
        {range} {permissions} 00019000 fe:00 5310322                    {path}
        Size:               7040 kB
        Rss:                {rss} kB
        Shared_Clean:          0 kB
        Shared_Dirty:          0 kB
        Private_Clean:      {rss - privateDirty} kB
        Private_Dirty:      {privateDirty} kB
        Anonymous:          {anonymous} kB
        VmFlags: rd ex mr mw me dw

        """;

    [Fact]
    public void Only_resident_read_only_mappings_of_the_executable_without_a_copied_page_are_chosen()
    {
        var smaps = Mapping("55f75b7b9000-55f75be99000", "r-xp", Exe, 5760)
            + Mapping("55f75be99000-55f75c21c000", "r--p", Exe, 3020)
            + Mapping("55f75c21c000-55f75c21d000", "r--p", Exe, 0)
            + Mapping("55f75c21d000-55f75c491000", "r--p", Exe, 1740, privateDirty: 1740) // written lately, not yet on disk
            + Mapping("55f75c491000-55f75c493000", "r--p", Exe, 8, privateDirty: 8, anonymous: 8) // relocated (RELRO)
            + Mapping("55f75c493000-55f75c4be000", "rw-p", Exe, 172, privateDirty: 80)
            + Mapping("7f3d7fbb7000-7f3d7fd0d000", "r-xp", "/usr/lib/x86_64-linux-gnu/libc.so.6", 1176)
            + Mapping("7f31b5800000-7f31b5b62000", "r--p", "", 3384)
            + Mapping("55f75c4be000-55f75c4bf000", "r--p", Exe + " (deleted)", 4);

        var chosen = StartupPages.FileOnlyReadOnlyMappings(smaps.Split('\n'), Exe);

        Assert.Equal(
            [
                new StartupPages.Mapping(0x55f75b7b9000, 0x55f75be99000 - 0x55f75b7b9000, 5760 * 1024),
                new StartupPages.Mapping(0x55f75be99000, 0x55f75c21c000 - 0x55f75be99000, 3020 * 1024),
                new StartupPages.Mapping(0x55f75c21d000, 0x55f75c491000 - 0x55f75c21d000, 1740 * 1024),
            ],
            chosen);
    }

    [Fact]
    public void A_mapping_with_an_unreadable_field_is_left_alone()
    {
        var smaps = Mapping("1000-2000", "r-xp", Exe, 4).Replace("Anonymous:          0 kB", "Anonymous:          ? kB", StringComparison.Ordinal);

        Assert.Empty(StartupPages.FileOnlyReadOnlyMappings(smaps.Split('\n'), Exe));
    }

    [Fact]
    public void Releasing_in_this_process_unmaps_the_clean_pages_of_its_executable_and_the_process_goes_on()
    {
        // Here the executable is the dotnet host: its code ran at start and hardly since.
        var executable = new FileInfo("/proc/self/exe").LinkTarget!;
        var before = StartupPages.FileOnlyReadOnlyMappings(File.ReadLines("/proc/self/smaps"), executable).Sum(m => m.ResidentBytes);
        Assert.True(before > 0, "the host's executable has resident read-only pages");

        var released = StartupPages.Release();

        var after = StartupPages.FileOnlyReadOnlyMappings(File.ReadLines("/proc/self/smaps"), executable).Sum(m => m.ResidentBytes);
        Assert.True(released > 0, $"released {released} bytes");
        Assert.True(after < before, $"resident {before} bytes before, {after} after");
    }
}
