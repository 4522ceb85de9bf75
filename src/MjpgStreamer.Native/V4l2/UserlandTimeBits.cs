namespace MjpgStreamer.Native.V4l2;

/// <summary>What one program's imports say about the time_t it was built for.</summary>
internal enum ElfTimeBits
{
    /// <summary>Missing, unreadable or not a usable little-endian ELF file.</summary>
    Unreadable,

    /// <summary>A 64-bit program: time_t is 64-bit there anyway, so it says nothing about a 32-bit userland.</summary>
    NotApplicable,

    /// <summary>A 32-bit program that calls no function whose name depends on time_t.</summary>
    Inconclusive,

    /// <summary>A 32-bit program importing a plain time function (clock_gettime, stat, localtime_r, ...) and no time64 one.</summary>
    Time32,

    /// <summary>A 32-bit program importing one of glibc's time64 entry points (__clock_gettime64, __stat64_time64, ...).</summary>
    Time64,
}

/// <summary>What the system's own programs say about its userland's time_t.</summary>
internal enum UserlandTime
{
    /// <summary>No readable 32-bit program (e.g. a 32-bit process on a 64-bit system, or no /usr/bin at all).</summary>
    Unknown,

    Time32,

    Time64,
}

/// <summary>The result of <see cref="UserlandTimeBits.Probe"/>: the verdict and the evidence, for the log.</summary>
internal readonly record struct UserlandProbe(UserlandTime Time, string Evidence)
{
    public static UserlandProbe NotProbed { get; } = new(UserlandTime.Unknown, "not probed");
}

/// <summary>
/// Tells whether a 32-bit system's userland is built with 64-bit time_t (Debian trixie's armhf "t64", Raspberry Pi OS
/// trixie) by reading which glibc symbols a few standard programs import: glibc compiles a call to clock_gettime, stat,
/// localtime_r, ioctl... under -D_TIME_BITS=64 into an import of __clock_gettime64, __stat64_time64,
/// __localtime64_r, __ioctl_time64, ..., and under 32-bit time_t into an import of the plain name.
/// </summary>
/// <remarks>
/// The rule (<see cref="IsTime64Symbol"/>): a name starting with "__" and ending with "time64" or "time64_r", or one of
/// glibc's other time64 entry points listed in <see cref="OtherTime64Symbols"/>. Large-file names such as stat64,
/// __fxstat64 or lseek64 do not match: they exist with 32-bit time_t too. A time32 program is recognised by a plain
/// time function (<see cref="Time32Symbols"/>); a program with neither is inconclusive and the next one is read.
/// </remarks>
internal static class UserlandTimeBits
{
    /// <summary>Programs every Debian-like system has that call clock_gettime/localtime_r (date) or stat (ls, stat, touch).</summary>
    public static IReadOnlyList<string> StandardPrograms { get; } =
        ["/usr/bin/date", "/bin/date", "/usr/bin/ls", "/bin/ls", "/usr/bin/stat", "/usr/bin/touch", "/usr/bin/env"];

    /// <summary>glibc's time64 entry points (32-bit architectures, glibc 2.34 and later) whose names do not end in "time64".</summary>
    public static IReadOnlySet<string> OtherTime64Symbols { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "__gettimeofday64", "__settimeofday64", "__nanosleep64", "__clock_getres64", "__timegm64", "__utimensat64",
        "__futimens64", "__futimes64", "__utimes64", "__lutimes64", "__utime64", "__futimesat64", "__select64",
        "__pselect64", "__ppoll64", "__sigtimedwait64", "__timespec_get64", "__timespec_getres64", "__adjtime64",
        "__getrusage64", "__getitimer64", "__setitimer64", "__recvmmsg64", "__sendmsg64", "__recvmsg64",
        "__setsockopt64", "__getsockopt64", "__sched_rr_get_interval64", "__pthread_cond_timedwait64",
        "__pthread_mutex_timedlock64", "__sem_timedwait64",
    };

    /// <summary>Plain time functions: imported under these names only by a program built with 32-bit time_t.</summary>
    public static IReadOnlySet<string> Time32Symbols { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "time", "clock_gettime", "clock_settime", "clock_getres", "clock_nanosleep", "gettimeofday", "settimeofday",
        "nanosleep", "localtime", "localtime_r", "gmtime", "gmtime_r", "mktime", "timegm", "difftime", "ctime",
        "ctime_r", "stat", "fstat", "lstat", "fstatat", "stat64", "fstat64", "lstat64", "fstatat64", "__xstat",
        "__fxstat", "__lxstat", "__fxstatat", "__xstat64", "__fxstat64", "__lxstat64", "__fxstatat64", "utimensat",
        "futimens", "utimes", "utime", "select", "pselect", "ppoll",
    };

    /// <summary>Whether an imported name is one of glibc's time64 entry points (the rule is in the remarks).</summary>
    public static bool IsTime64Symbol(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith("__", StringComparison.Ordinal)
            && (name.EndsWith("time64", StringComparison.Ordinal) || name.EndsWith("time64_r", StringComparison.Ordinal)
                || OtherTime64Symbols.Contains(name));
    }

    /// <summary>What one program's imports say; <paramref name="evidence"/> is the deciding import, if any.</summary>
    public static ElfTimeBits Classify(ElfImports? imports, out string? evidence)
    {
        evidence = null;
        if (imports is null)
        {
            return ElfTimeBits.Unreadable;
        }

        if (imports.Bits != 32)
        {
            return ElfTimeBits.NotApplicable;
        }

        foreach (var name in imports.Undefined)
        {
            if (IsTime64Symbol(name))
            {
                evidence = name;
                return ElfTimeBits.Time64;
            }
        }

        foreach (var name in imports.Undefined)
        {
            if (Time32Symbols.Contains(name))
            {
                evidence = name;
                return ElfTimeBits.Time32;
            }
        }

        return ElfTimeBits.Inconclusive;
    }

    /// <summary>
    /// Reads the programs in order; the first 32-bit one with a time64 or a plain time import decides. Only
    /// inconclusive 32-bit programs: Time32 (none shows a time64 name). No 32-bit program: Unknown.
    /// </summary>
    public static UserlandProbe Probe(IEnumerable<string> programs)
    {
        ArgumentNullException.ThrowIfNull(programs);
        var list = programs.ToList();
        string? inconclusive = null;
        foreach (var program in list)
        {
            switch (Classify(ElfImports.TryRead(program), out var evidence))
            {
                case ElfTimeBits.Time64:
                    return new UserlandProbe(UserlandTime.Time64, $"{program} imports {evidence}");
                case ElfTimeBits.Time32:
                    return new UserlandProbe(UserlandTime.Time32, $"{program} imports {evidence}");
                case ElfTimeBits.Inconclusive:
                    inconclusive ??= program;
                    break;
            }
        }

        return inconclusive is null
            ? new UserlandProbe(UserlandTime.Unknown, "no readable 32-bit program among " + string.Join(", ", list))
            : new UserlandProbe(UserlandTime.Time32, $"{inconclusive} is 32-bit and imports no time64 function");
    }
}
