using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Tests.V4l2;

/// <summary>
/// V4l2Abi.Choose, every branch: a 64-bit process; on 32-bit the MJPG_STREAMER_TIME_BITS override, a kernel older
/// than 5.6, then what the system's programs say (time64, time32, unknown).
/// </summary>
public sealed class V4l2AbiChoiceTests
{
    private static readonly UserlandProbe Time64Userland = new(UserlandTime.Time64, "/usr/bin/date imports __clock_gettime64");
    private static readonly UserlandProbe Time32Userland = new(UserlandTime.Time32, "/usr/bin/date imports clock_gettime");
    private static readonly UserlandProbe UnknownUserland = new(UserlandTime.Unknown, "no readable 32-bit program among /usr/bin/date");

    private static readonly Version Kernel66 = new(6, 6);

    [Theory]
    [InlineData(null, nameof(UserlandTime.Time32), "4.19")]
    [InlineData("32", nameof(UserlandTime.Time32), "6.6")]
    [InlineData("64", nameof(UserlandTime.Unknown), null)]
    [InlineData(null, nameof(UserlandTime.Time64), "6.6")]
    public void A_64_bit_process_always_has_64_bit_pointers_and_time_t(string? timeBits, string userland, string? kernel)
    {
        var probe = new UserlandProbe(Enum.Parse<UserlandTime>(userland), "evidence");
        var choice = V4l2Abi.Choose(8, timeBits, probe, kernel is null ? null : Version.Parse(kernel));

        Assert.Equal(new V4l2Abi(8, 8), choice.Abi);
        Assert.StartsWith("64-bit process", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64", 8)]
    [InlineData(" 64 ", 8)]
    [InlineData("32", 4)]
    [InlineData("32\n", 4)]
    public void On_32_bit_the_variable_overrides_the_system_and_the_kernel(string timeBits, int timeSize)
    {
        // Against what the system says and even on an old kernel: the variable is for tests (a fake camera) and experts.
        var opposite = timeSize == 8 ? Time32Userland : Time64Userland;
        foreach (var kernel in new Version?[] { new(4, 19), Kernel66, null })
        {
            var choice = V4l2Abi.Choose(4, timeBits, opposite, kernel);

            Assert.Equal(new V4l2Abi(4, timeSize), choice.Abi);
            Assert.Contains($"MJPG_STREAMER_TIME_BITS={timeBits.Trim()}", choice.Reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 4)]
    [InlineData(4, 19)]
    [InlineData(3, 10)]
    public void On_32_bit_a_kernel_older_than_5_6_gets_time32(int major, int minor)
    {
        var choice = V4l2Abi.Choose(4, null, Time64Userland, new Version(major, minor));

        Assert.Equal(new V4l2Abi(4, 4), choice.Abi);
        Assert.Contains($"kernel {major}.{minor} is older than 5.6", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, 6)]
    [InlineData(5, 10)]
    [InlineData(6, 1)]
    [InlineData(6, 12)]
    public void On_32_bit_a_time64_userland_on_kernel_5_6_or_later_gets_time64(int major, int minor)
    {
        var choice = V4l2Abi.Choose(4, null, Time64Userland, new Version(major, minor));

        Assert.Equal(new V4l2Abi(4, 8), choice.Abi);
        Assert.Equal(
            $"32-bit process: V4L2 time64 layout (the system's programs use 64-bit time_t: /usr/bin/date imports __clock_gettime64; kernel {major}.{minor})",
            choice.Reason);
    }

    [Fact]
    public void On_32_bit_a_time64_userland_with_an_unknown_kernel_gets_time64()
    {
        // A userland built for 64-bit time_t (Debian trixie) cannot run on a kernel without the time64 system calls.
        var choice = V4l2Abi.Choose(4, null, Time64Userland, null);

        Assert.Equal(new V4l2Abi(4, 8), choice.Abi);
        Assert.Contains("kernel version unknown", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void On_32_bit_a_time32_userland_gets_time32(string? timeBits)
    {
        var choice = V4l2Abi.Choose(4, timeBits, Time32Userland, Kernel66);

        Assert.Equal(new V4l2Abi(4, 4), choice.Abi);
        Assert.Equal(
            "32-bit process: V4L2 time32 layout (the system's programs use 32-bit time_t: /usr/bin/date imports clock_gettime; kernel 6.6)",
            choice.Reason);
    }

    [Fact]
    public void On_32_bit_an_unknown_userland_gets_time32()
    {
        var choice = V4l2Abi.Choose(4, null, UnknownUserland, Kernel66);

        Assert.Equal(new V4l2Abi(4, 4), choice.Abi);
        Assert.Contains("time_t size is unknown (no readable 32-bit program among /usr/bin/date)", choice.Reason, StringComparison.Ordinal);
        Assert.Contains("works with every kernel", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sixty-four")]
    [InlineData("16")]
    [InlineData("6 4")]
    public void On_32_bit_another_value_of_the_variable_is_ignored_and_said_so(string timeBits)
    {
        var choice = V4l2Abi.Choose(4, timeBits, Time64Userland, Kernel66);

        Assert.Equal(new V4l2Abi(4, 8), choice.Abi);
        Assert.Contains($"MJPG_STREAMER_TIME_BITS='{timeBits}' ignored", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("6.6.51+rpt-rpi-v7", 6, 6)]
    [InlineData("6.12.25+rpt-rpi-v7l\n", 6, 12)]
    [InlineData("5.10.0-28-armmp-lpae", 5, 10)]
    [InlineData("4.19.0", 4, 19)]
    [InlineData("6.1-rc3", 6, 1)]
    [InlineData("6.8", 6, 8)]
    public void Kernel_releases_are_read_as_major_and_minor(string release, int major, int minor)
    {
        Assert.Equal(new Version(major, minor), V4l2Abi.ParseKernelRelease(release));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("linux")]
    [InlineData("6")]
    [InlineData("6.")]
    [InlineData("x.6")]
    [InlineData("6.x")]
    [InlineData("-6.6")]
    [InlineData("99999999999.1")]
    public void Other_kernel_releases_are_unknown(string? release)
    {
        Assert.Null(V4l2Abi.ParseKernelRelease(release));
    }

    [Fact]
    public void This_machines_kernel_is_read()
    {
        Assert.NotNull(V4l2Abi.ReadKernelVersion());
    }

    [Fact]
    public void This_process_has_its_own_pointer_size_and_says_why()
    {
        var choice = V4l2Abi.CurrentChoice;

        Assert.Equal(IntPtr.Size, choice.Abi.PointerSize);
        Assert.Equal(choice.Abi, V4l2Abi.Current);
        Assert.False(string.IsNullOrWhiteSpace(choice.Reason));
    }
}
