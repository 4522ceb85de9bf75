using System.Buffers.Binary;
using System.Text;

namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// The undefined dynamic symbols (the imports) of a little-endian ELF32 or ELF64 file, read from its section
/// headers: the SHT_DYNSYM section and the string table it links to. Only those few structures are read, at
/// their offsets, never the whole file. Anything that does not add up (not ELF, big-endian, a truncated file,
/// an offset or a size past the end, a name without its terminating NUL, tables beyond
/// <see cref="MaxTableBytes"/>) gives null, never an exception.
/// </summary>
/// <remarks>
/// A file without section headers (e.g. one run through sstrip) gives null too: reading the dynamic segment
/// instead would need the symbol count from DT_HASH/DT_GNU_HASH, and distribution programs keep their section
/// headers (strip removes .symtab, not .dynsym).
/// </remarks>
internal sealed record ElfImports(int Bits, ushort Machine, IReadOnlyList<string> Undefined)
{
    /// <summary>The largest .dynsym or .dynstr read: a program's are a few KB, libc's about 100 KB, node's 5 MB.</summary>
    public const int MaxTableBytes = 16 << 20;

    private const uint ShtStrtab = 3;
    private const uint ShtDynsym = 11;

    /// <summary>e_machine: EM_386, EM_ARM, EM_X86_64, EM_AARCH64.</summary>
    public const ushort MachineI386 = 3;

    public const ushort MachineArm = 40;

    public const ushort MachineX8664 = 62;

    public const ushort MachineAarch64 = 183;

    /// <summary>Reads up to destination.Length bytes at an offset; returns how many were read (0 past the end).</summary>
    private delegate int ReadAt(long offset, Span<byte> destination);

    /// <summary>The imports of a file, or null when it is missing, not a regular file, unreadable or not a usable ELF file.</summary>
    public static ElfImports? TryRead(string path)
    {
        try
        {
            if (RegularFile.TryOpen(path, out var handle, out var size) != RegularFile.Result.Opened)
            {
                return null;
            }

            using (handle)
            {
                return Parse(size, (offset, destination) => RandomAccess.Read(handle!, destination, offset));
            }
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The imports of an ELF image in memory, or null when it is not a usable ELF file.</summary>
    public static ElfImports? TryRead(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Parse(image.LongLength, (offset, destination) =>
        {
            if (offset < 0 || offset >= image.LongLength)
            {
                return 0;
            }

            var count = (int)Math.Min(destination.Length, image.LongLength - offset);
            image.AsSpan((int)offset, count).CopyTo(destination);
            return count;
        });
    }

    private static ElfImports? Parse(long length, ReadAt read)
    {
        // The ELF32 header is 52 bytes, the ELF64 one 64.
        if (length < 52)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[64];
        header = header[..(int)Math.Min(length, 64)];
        if (!ReadExactly(read, 0, header))
        {
            return null;
        }

        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F' || header[5] != 1)
        {
            return null;
        }

        var is64 = header[4] switch
        {
            1 => false,
            2 => true,
            _ => (bool?)null,
        };
        if (is64 is null || (is64.Value && header.Length < 64))
        {
            return null;
        }

        var wide = is64.Value;
        var machine = BinaryPrimitives.ReadUInt16LittleEndian(header[0x12..]);
        long sectionOffset;
        int sectionEntrySize;
        int sectionCount;
        if (wide)
        {
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(header[0x28..]);
            sectionOffset = offset > long.MaxValue ? -1 : (long)offset;
            sectionEntrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3A..]);
            sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header[0x3C..]);
        }
        else
        {
            sectionOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[0x20..]);
            sectionEntrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x2E..]);
            sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header[0x30..]);
        }

        var minimumEntrySize = wide ? 64 : 40;
        // e_shnum 0 with e_shoff set is the extended numbering of files with 65280 sections or more: not a program.
        var tableBytes = (long)sectionEntrySize * sectionCount;
        if (sectionOffset <= 0 || sectionCount == 0 || sectionEntrySize < minimumEntrySize
            || tableBytes > MaxTableBytes || !Fits(sectionOffset, tableBytes, length))
        {
            return null;
        }

        var sections = new byte[(int)tableBytes];
        if (!ReadExactly(read, sectionOffset, sections))
        {
            return null;
        }

        for (var index = 0; index < sectionCount; index++)
        {
            var section = Section.Read(sections.AsSpan(index * sectionEntrySize, sectionEntrySize), wide);
            if (section.Type != ShtDynsym)
            {
                continue;
            }

            if (section.Link == 0 || section.Link >= (uint)sectionCount)
            {
                return null;
            }

            var strings = Section.Read(sections.AsSpan((int)section.Link * sectionEntrySize, sectionEntrySize), wide);
            if (strings.Type != ShtStrtab)
            {
                return null;
            }

            var undefined = ReadUndefined(read, length, section, strings, wide);
            return undefined is null ? null : new ElfImports(wide ? 64 : 32, machine, undefined);
        }

        // No .dynsym: a static program imports nothing.
        return new ElfImports(wide ? 64 : 32, machine, []);
    }

    private static List<string>? ReadUndefined(ReadAt read, long length, Section symbols, Section strings, bool wide)
    {
        var symbolSize = wide ? 24 : 16;
        var entrySize = symbols.EntrySize == 0 ? (ulong)symbolSize : symbols.EntrySize;
        if (entrySize < (ulong)symbolSize || entrySize > 256
            || symbols.Size > MaxTableBytes || strings.Size > MaxTableBytes
            || !Fits(symbols.Offset, symbols.Size, length) || !Fits(strings.Offset, strings.Size, length))
        {
            return null;
        }

        var symbolTable = new byte[(int)symbols.Size];
        var stringTable = new byte[(int)strings.Size];
        if (!ReadExactly(read, (long)symbols.Offset, symbolTable) || !ReadExactly(read, (long)strings.Offset, stringTable))
        {
            return null;
        }

        var names = new List<string>();
        var step = (int)entrySize;

        // Entry 0 is the reserved null symbol.
        for (var at = step; at + symbolSize <= symbolTable.Length; at += step)
        {
            var entry = symbolTable.AsSpan(at, symbolSize);
            var name = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            var sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(entry[(wide ? 6 : 14)..]);
            if (sectionIndex != 0 || name == 0)
            {
                continue;
            }

            if (name >= (uint)stringTable.Length)
            {
                return null;
            }

            var rest = stringTable.AsSpan((int)name);
            var end = rest.IndexOf((byte)0);
            if (end < 0)
            {
                return null;
            }

            names.Add(Encoding.Latin1.GetString(rest[..end]));
        }

        return names;
    }

    private static bool Fits(long offset, long size, long length) => offset >= 0 && size >= 0 && offset <= length && size <= length - offset;

    private static bool Fits(ulong offset, ulong size, long length) =>
        offset <= (ulong)length && size <= (ulong)length - offset;

    private static bool ReadExactly(ReadAt read, long offset, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            var count = read(offset, destination);
            if (count <= 0)
            {
                return false;
            }

            offset += count;
            destination = destination[count..];
        }

        return true;
    }

    private readonly record struct Section(uint Type, ulong Offset, ulong Size, uint Link, ulong EntrySize)
    {
        public static Section Read(ReadOnlySpan<byte> entry, bool wide) => wide
            ? new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(entry[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[40..]),
                BinaryPrimitives.ReadUInt64LittleEndian(entry[56..]))
            : new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[20..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[24..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[36..]));
    }
}
