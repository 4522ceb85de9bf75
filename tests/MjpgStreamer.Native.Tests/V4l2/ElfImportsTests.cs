using System.Buffers.Binary;
using MjpgStreamer.Native.V4l2;

namespace MjpgStreamer.Native.Tests.V4l2;

/// <summary>
/// The ELF import reader and the time_t probe against real programs built by tests/native/v4l2-layout/elf/generate.sh
/// (armhf with and without -D_TIME_BITS=64, aarch64, x86_64), and against truncated, mutated and garbage files.
/// </summary>
public sealed class ElfImportsTests
{
    private static string Fixture(string name) => Path.Join(AppContext.BaseDirectory, "v4l2-layout", "elf", name + ".elf");

    private static byte[] FixtureBytes(string name) => File.ReadAllBytes(Fixture(name));

    [Fact]
    public void An_armhf_program_built_with_64_bit_time_t_imports_glibc_time64_functions()
    {
        var imports = ElfImports.TryRead(Fixture("armhf-time64"));

        Assert.NotNull(imports);
        Assert.Equal(32, imports.Bits);
        Assert.Equal(ElfImports.MachineArm, imports.Machine);
        Assert.Contains("__clock_gettime64", imports.Undefined);
        Assert.Contains("__stat64_time64", imports.Undefined);
        Assert.Contains("__localtime64_r", imports.Undefined);
        Assert.Contains("printf", imports.Undefined);
        Assert.DoesNotContain("clock_gettime", imports.Undefined);
        Assert.Equal(ElfTimeBits.Time64, UserlandTimeBits.Classify(imports, out var evidence));
        Assert.NotNull(evidence);
        Assert.True(UserlandTimeBits.IsTime64Symbol(evidence));
    }

    [Theory]
    [InlineData("armhf-time32", "stat")]
    [InlineData("armhf-lfs", "stat64")]
    public void An_armhf_program_built_with_32_bit_time_t_imports_the_plain_names(string fixture, string statName)
    {
        var imports = ElfImports.TryRead(Fixture(fixture));

        Assert.NotNull(imports);
        Assert.Equal(32, imports.Bits);
        Assert.Equal(ElfImports.MachineArm, imports.Machine);
        Assert.Contains("clock_gettime", imports.Undefined);
        Assert.Contains("localtime_r", imports.Undefined);
        Assert.Contains(statName, imports.Undefined);
        Assert.DoesNotContain(imports.Undefined, UserlandTimeBits.IsTime64Symbol);
        Assert.Equal(ElfTimeBits.Time32, UserlandTimeBits.Classify(imports, out var evidence));
        Assert.NotNull(evidence);
    }

    [Fact]
    public void An_armhf_program_without_a_time_function_is_inconclusive()
    {
        var imports = ElfImports.TryRead(Fixture("armhf-notime"));

        Assert.NotNull(imports);
        Assert.Equal(32, imports.Bits);
        Assert.Contains("printf", imports.Undefined);
        Assert.Equal(ElfTimeBits.Inconclusive, UserlandTimeBits.Classify(imports, out var evidence));
        Assert.Null(evidence);
    }

    [Theory]
    [InlineData("aarch64", ElfImports.MachineAarch64)]
    [InlineData("x86_64", ElfImports.MachineX8664)]
    public void A_64_bit_program_is_read_but_says_nothing_about_a_32_bit_time_t(string fixture, ushort machine)
    {
        var imports = ElfImports.TryRead(Fixture(fixture));

        Assert.NotNull(imports);
        Assert.Equal(64, imports.Bits);
        Assert.Equal(machine, imports.Machine);
        Assert.Contains("clock_gettime", imports.Undefined);
        Assert.Contains("stat", imports.Undefined);
        Assert.Equal(ElfTimeBits.NotApplicable, UserlandTimeBits.Classify(imports, out _));
    }

    [Fact]
    public void Only_undefined_symbols_are_listed()
    {
        // Symbol 0 is the null entry and defined symbols (e.g. _IO_stdin_used, which the programs export) are skipped.
        var imports = ElfImports.TryRead(Fixture("armhf-time64"));

        Assert.NotNull(imports);
        Assert.DoesNotContain("", imports.Undefined);
        Assert.DoesNotContain("_IO_stdin_used", imports.Undefined);
        Assert.DoesNotContain("main", imports.Undefined);
    }

    [Theory]
    [InlineData("armhf-time64")]
    [InlineData("armhf-time32")]
    [InlineData("aarch64")]
    [InlineData("x86_64")]
    public void Every_truncation_of_a_program_is_unreadable(string fixture)
    {
        // The section headers are at the end of these files: any shorter prefix loses them.
        var bytes = FixtureBytes(fixture);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Null(ElfImports.TryRead(bytes[..length]));
        }

        Assert.NotNull(ElfImports.TryRead(bytes));
    }

    [Fact]
    public void A_truncated_file_on_disk_is_unreadable()
    {
        using var folder = new TestSupport.TempFolder();
        var bytes = FixtureBytes("armhf-time64");
        foreach (var length in new[] { 0, 3, 51, 52, 64, 1000, bytes.Length / 2, bytes.Length - 1 })
        {
            var path = folder.File($"date-{length}");
            File.WriteAllBytes(path, bytes[..length]);
            Assert.Null(ElfImports.TryRead(path));
            Assert.Equal(ElfTimeBits.Unreadable, UserlandTimeBits.Classify(ElfImports.TryRead(path), out _));
        }
    }

    [Fact]
    public void Random_bytes_are_not_elf()
    {
        var random = new Random(10);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            Assert.Null(ElfImports.TryRead(bytes));
        }
    }

    [Theory]
    [InlineData("armhf-time64")]
    [InlineData("x86_64")]
    public void Random_headers_behind_the_elf_magic_never_throw(string fixture)
    {
        // The identification bytes kept, everything else random: the parser must refuse or answer, never throw.
        var template = FixtureBytes(fixture);
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[template.Length];
            random.NextBytes(bytes);
            template.AsSpan(0, 6).CopyTo(bytes);
            _ = ElfImports.TryRead(bytes);
        }
    }

    [Theory]
    [InlineData("armhf-time64")]
    [InlineData("aarch64")]
    public void Mutated_programs_never_throw(string fixture)
    {
        // One to four bytes changed anywhere (headers, section table, .dynsym, .dynstr), 20000 times.
        var template = FixtureBytes(fixture);
        var random = new Random(12);
        var answered = 0;
        for (var i = 0; i < 20000; i++)
        {
            var bytes = (byte[])template.Clone();
            for (var changes = random.Next(1, 5); changes > 0; changes--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            if (ElfImports.TryRead(bytes) is not null)
            {
                answered++;
            }
        }

        // Most single changes hit code or data the reader never looks at.
        Assert.InRange(answered, 1, 20000);
    }

    [Fact]
    public void Section_headers_that_point_past_the_end_are_refused()
    {
        var bytes = FixtureBytes("armhf-time64");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(0x20), (uint)bytes.Length - 8);
        Assert.Null(ElfImports.TryRead(bytes));

        bytes = FixtureBytes("x86_64");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0x28), ulong.MaxValue);
        Assert.Null(ElfImports.TryRead(bytes));
    }

    [Fact]
    public void A_dynsym_section_past_the_end_or_a_name_outside_its_string_table_is_refused()
    {
        var original = FixtureBytes("armhf-time64");
        var (dynsym, entrySize) = FindDynsym32(original);

        var bytes = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(dynsym + 20), 0x7fff_fff0); // sh_size
        Assert.Null(ElfImports.TryRead(bytes));

        bytes = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(dynsym + 24), 0); // sh_link to section 0, not a string table
        Assert.Null(ElfImports.TryRead(bytes));

        // The first undefined symbol's name offset moved past the string table.
        bytes = (byte[])original.Clone();
        var symbols = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(dynsym + 16));
        var firstUndefined = symbols + entrySize;
        while (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(firstUndefined + 14)) != 0
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(firstUndefined)) == 0)
        {
            firstUndefined += entrySize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(firstUndefined), 0x00ff_ffff);
        Assert.Null(ElfImports.TryRead(bytes));
    }

    [Theory]
    [InlineData(4, 3)] // EI_CLASS neither 32 nor 64
    [InlineData(5, 2)] // EI_DATA big-endian
    [InlineData(0, 0x7e)] // no magic
    public void Other_identifications_are_refused(int index, byte value)
    {
        var bytes = FixtureBytes("armhf-time64");
        bytes[index] = value;
        Assert.Null(ElfImports.TryRead(bytes));
    }

    [Fact]
    public void Missing_paths_directories_and_devices_are_unreadable()
    {
        using var folder = new TestSupport.TempFolder();
        Assert.Null(ElfImports.TryRead(folder.File("missing")));
        Assert.Null(ElfImports.TryRead(folder.Path));
        Assert.Null(ElfImports.TryRead("/dev/zero"));
    }

    [Theory]
    [InlineData("__clock_gettime64", true)]
    [InlineData("__clock_settime64", true)]
    [InlineData("__clock_nanosleep_time64", true)]
    [InlineData("__stat64_time64", true)]
    [InlineData("__fstat64_time64", true)]
    [InlineData("__fstatat64_time64", true)]
    [InlineData("__ioctl_time64", true)]
    [InlineData("__time64", true)]
    [InlineData("__mktime64", true)]
    [InlineData("__localtime64_r", true)]
    [InlineData("__gmtime64_r", true)]
    [InlineData("__gettimeofday64", true)]
    [InlineData("__nanosleep64", true)]
    [InlineData("__utimensat64", true)]
    [InlineData("clock_gettime", false)]
    [InlineData("time", false)]
    [InlineData("stat64", false)]
    [InlineData("fstatat64", false)]
    [InlineData("__fxstat64", false)]
    [InlineData("__xstat64", false)]
    [InlineData("lseek64", false)]
    [InlineData("mmap64", false)]
    [InlineData("__open64_2", false)]
    [InlineData("time64", false)]
    [InlineData("my_time64", false)]
    public void The_time64_rule_matches_glibc_time64_names_and_not_large_file_names(string name, bool time64)
    {
        Assert.Equal(time64, UserlandTimeBits.IsTime64Symbol(name));
    }

    [Fact]
    public void The_probe_takes_the_first_32_bit_program_that_calls_a_time_function()
    {
        var probe = UserlandTimeBits.Probe(["/nonexistent/date", Fixture("x86_64"), Fixture("armhf-notime"), Fixture("armhf-time64"), Fixture("armhf-time32")]);
        Assert.Equal(UserlandTime.Time64, probe.Time);
        Assert.Contains("armhf-time64.elf imports __", probe.Evidence, StringComparison.Ordinal);

        probe = UserlandTimeBits.Probe([Fixture("armhf-notime"), Fixture("armhf-time32"), Fixture("armhf-time64")]);
        Assert.Equal(UserlandTime.Time32, probe.Time);
        Assert.Contains("armhf-time32.elf imports ", probe.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_32_bit_programs_without_time_functions_mean_time32()
    {
        var probe = UserlandTimeBits.Probe([Fixture("aarch64"), Fixture("armhf-notime")]);
        Assert.Equal(UserlandTime.Time32, probe.Time);
        Assert.Contains("armhf-notime.elf", probe.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void No_readable_32_bit_program_means_unknown()
    {
        Assert.Equal(UserlandTime.Unknown, UserlandTimeBits.Probe([Fixture("aarch64"), Fixture("x86_64"), "/nonexistent/date", "/dev/zero"]).Time);
        Assert.Equal(UserlandTime.Unknown, UserlandTimeBits.Probe([]).Time);
    }

    [Fact]
    public void This_machines_date_is_read()
    {
        // A 64-bit test process runs on a 64-bit userland, whose date says nothing about a 32-bit time_t;
        // on 32-bit ARM, date calls clock_gettime and localtime_r, so it must decide.
        var path = UserlandTimeBits.StandardPrograms.First(File.Exists);
        var found = UserlandTimeBits.Classify(ElfImports.TryRead(path), out _);
        if (IntPtr.Size == 8)
        {
            Assert.Equal(ElfTimeBits.NotApplicable, found);
        }
        else
        {
            Assert.True(found is ElfTimeBits.Time32 or ElfTimeBits.Time64, $"{path}: {found}");
        }
    }

    /// <summary>The offset of the ELF32 .dynsym section header and the symbol entry size.</summary>
    private static (int Header, int EntrySize) FindDynsym32(byte[] bytes)
    {
        var sections = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(0x20));
        var size = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x2E));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x30));
        for (var i = 0; i < count; i++)
        {
            var header = sections + (i * size);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(header + 4)) == 11)
            {
                return (header, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(header + 36)));
            }
        }

        throw new InvalidOperationException("no .dynsym");
    }
}
