using System.Buffers.Binary;
using System.Text;

namespace MjpgStreamer.Tests.Release;

/// <summary>An ELF file's machine (e_machine: 62 x86-64, 183 AArch64, 40 ARM) and section names: enough to tell
/// an executable's architecture and whether it is stripped (no .symtab) with a debug link.</summary>
public sealed record ElfFile(int Machine, IReadOnlyList<string> Sections)
{
    public static ElfFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 64 && bytes[0] == 0x7F && bytes[1] == (byte)'E' && bytes[2] == (byte)'L' && bytes[3] == (byte)'F', path + " is not an ELF file");
        Assert.True(bytes[4] == 2 && bytes[5] == 1, path + " is not a 64-bit little-endian ELF file");
        var span = bytes.AsSpan();
        var machine = BinaryPrimitives.ReadUInt16LittleEndian(span[18..]);
        var sectionsAt = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(span[58..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[60..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(span[62..]);
        var namesAt = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(span[(sectionsAt + (namesIndex * entrySize) + 24)..]));
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var nameOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(sectionsAt + (i * entrySize))..]);
            var start = namesAt + nameOffset;
            var end = Array.IndexOf(bytes, (byte)0, start);
            names.Add(Encoding.ASCII.GetString(bytes, start, end - start));
        }

        return new ElfFile(machine, names);
    }
}
