using System.Globalization;

namespace MjpgStreamer.Core.Options;

/// <summary>The options a plugin was given, by canonical key, in command-line order.</summary>
public sealed class ParsedOptions
{
    private readonly List<(string Key, string? Value)> _items;

    public ParsedOptions(string plugin, List<(string Key, string? Value)> items)
        : this(plugin, items, rest: null)
    {
    }

    /// <param name="rest">The words after "--", or null when there was no "--".</param>
    public ParsedOptions(string plugin, List<(string Key, string? Value)> items, IReadOnlyList<string>? rest)
    {
        Plugin = plugin;
        _items = items;
        Rest = rest ?? [];
        HasRest = rest is not null;
    }

    public string Plugin { get; }

    /// <summary>
    /// The words after a lone "--", untouched (only for plugins that list <see cref="OptionSpec.RestAfterDoubleDash"/>);
    /// empty when there was none.
    /// </summary>
    public IReadOnlyList<string> Rest { get; }

    /// <summary>A lone "--" was given (possibly with nothing after it).</summary>
    public bool HasRest { get; }

    public IReadOnlyList<(string Key, string? Value)> Items => _items;

    /// <summary>The values given to options marked <see cref="OptionSpec.IsSecret"/>, as parsed (quotes removed).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    public bool Has(string key) => _items.Exists(i => i.Key == key);

    /// <summary>The last value given for the key (later options override earlier ones, as with getopt).</summary>
    public string? Get(string key)
    {
        for (var i = _items.Count - 1; i >= 0; i--)
        {
            if (_items[i].Key == key)
            {
                return _items[i].Value;
            }
        }

        return null;
    }

    public string Require(string key, string what)
    {
        return Get(key) ?? throw new UsageException($"{Plugin}: {what} is required (-{key})");
    }

    public int GetInt(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Get(key);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            var range = max == int.MaxValue ? (min == int.MinValue ? "a whole number" : $"a whole number of at least {min}") : $"a whole number from {min} to {max}";
            throw new UsageException($"{Plugin}: -{key} '{text}' is not {range}");
        }

        return value;
    }

    public double GetDouble(string key, double fallback, double min = double.MinValue)
    {
        var text = Get(key);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || double.IsInfinity(value) || value < min)
        {
            throw new UsageException($"{Plugin}: -{key} '{text}' is not a number{(min > double.MinValue ? $" of at least {min.ToString(CultureInfo.InvariantCulture)}" : "")}");
        }

        return value;
    }

    /// <summary>Parses "WxH" or one of mjpg-streamer's names (VGA, HD, … FHD=1920x1280 as the original).</summary>
    public (int Width, int Height)? GetResolution(string key)
    {
        var text = Get(key);
        return text is null ? null : Resolution.Parse(text, $"{Plugin}: -{key}");
    }
}
