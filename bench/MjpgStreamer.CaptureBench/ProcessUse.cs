using System.Globalization;

namespace MjpgStreamer.CaptureBench;

/// <summary>Resources used over a measured window.</summary>
internal readonly record struct ProcessUse(TimeSpan Wall, TimeSpan Cpu, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    /// <summary>CPU as a percentage of one core over the window.</summary>
    public double CpuPercentOfCore => Wall <= TimeSpan.Zero ? 0 : 100 * Cpu.TotalSeconds / Wall.TotalSeconds;

    public string GcCounts => string.Create(CultureInfo.InvariantCulture, $"{Gen0}/{Gen1}/{Gen2}");

    public double CpuMsPer(long frames) => frames <= 0 ? double.NaN : Cpu.TotalMilliseconds / frames;

    public double BytesPer(long frames) => frames <= 0 ? double.NaN : (double)AllocatedBytes / frames;
}
