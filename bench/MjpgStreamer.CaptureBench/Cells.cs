using System.Globalization;

namespace MjpgStreamer.CaptureBench;

/// <summary>Table cells in the invariant culture; "n/a" where a value could not be measured.</summary>
internal static class Cells
{
    public static string F(double value, int decimals) =>
        double.IsNaN(value) || double.IsInfinity(value)
            ? "n/a"
            : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}
