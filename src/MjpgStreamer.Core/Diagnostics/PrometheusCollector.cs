using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace MjpgStreamer.Core.Diagnostics;

/// <summary>
/// Listens to one meter's instruments (a <see cref="MeterListener"/>) and keeps their totals, which
/// <see cref="WriteText"/> prints in the Prometheus text exposition format 0.0.4: a counter as NAME_total, an
/// up-down counter as a gauge, a histogram as _bucket/_sum/_count. Recording is allocation-free once a tag
/// set has been seen (a new set of tag values makes one series, once).
/// </summary>
public sealed class PrometheusCollector : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly Lazy<PrometheusCollector> SharedCollector = new(() => new PrometheusCollector(StreamerMetrics.MeterName));

    private readonly MeterListener _listener;
    private readonly Lock _gate = new();
    private readonly List<Family> _families = [];

    public PrometheusCollector(string meterName)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name != meterName)
                {
                    return;
                }

                var family = new Family(instrument);
                lock (_gate)
                {
                    _families.Add(family);
                }

                listener.EnableMeasurementEvents(instrument, family);
            },
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Family)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((Family)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Family)state!).Add(value, tags));
        _listener.Start();
    }

    /// <summary>The process's collector of <see cref="StreamerMetrics"/>, started on first use (before any output serves).</summary>
    public static PrometheusCollector Shared => SharedCollector.Value;

    /// <summary>Every metric as Prometheus text, sorted by name.</summary>
    public string WriteText()
    {
        Family[] families;
        lock (_gate)
        {
            families = [.. _families];
        }

        Array.Sort(families, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var text = new StringBuilder(4096);
        foreach (var family in families)
        {
            family.Write(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    private sealed class Family
    {
        private readonly Kind _kind;
        private readonly string _help;
        private readonly double[] _bounds;
        private readonly Lock _gate = new();
        private Series[] _series = [];

        public Family(Instrument instrument)
        {
            _kind = instrument switch
            {
                Histogram<double> or Histogram<long> or Histogram<int> => Kind.Histogram,
                UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> => Kind.Gauge,
                _ => Kind.Counter,
            };
            var baseName = Sanitize(instrument.Name);
            Name = _kind == Kind.Counter && !baseName.EndsWith("_total", StringComparison.Ordinal) ? baseName + "_total" : baseName;
            _help = instrument.Description ?? instrument.Name;
            _bounds = _kind == Kind.Histogram ? StreamerMetrics.EncodeBuckets : [];
        }

        public string Name { get; }

        public void Add(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = Find(tags);
            if (_kind == Kind.Histogram)
            {
                series.Observe(value, _bounds);
            }
            else
            {
                Interlocked.Add(ref series.Value, value);
            }
        }

        public void Add(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = Find(tags);
            if (_kind == Kind.Histogram)
            {
                series.Observe(value, _bounds);
            }
            else
            {
                // Counters here count whole things; a fractional counter is kept in its rounded form.
                Interlocked.Add(ref series.Value, (long)Math.Round(value));
            }
        }

        private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var series in Volatile.Read(ref _series))
            {
                if (series.Matches(tags))
                {
                    return series;
                }
            }

            lock (_gate)
            {
                foreach (var series in _series)
                {
                    if (series.Matches(tags))
                    {
                        return series;
                    }
                }

                var added = new Series(tags, _bounds.Length);
                Volatile.Write(ref _series, [.. _series, added]);
                return added;
            }
        }

        public void Write(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(_help)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(_kind switch
            {
                Kind.Histogram => "histogram",
                Kind.Gauge => "gauge",
                _ => "counter",
            }).Append('\n');
            var all = Volatile.Read(ref _series);
            var ordered = all.OrderBy(s => s.Labels, StringComparer.Ordinal);
            foreach (var series in ordered)
            {
                if (_kind != Kind.Histogram)
                {
                    AppendSample(text, Name, series.Labels, null, Interlocked.Read(ref series.Value).ToString(CultureInfo.InvariantCulture));
                    continue;
                }

                var (buckets, sum, count) = series.Read();
                long cumulative = 0;
                for (var i = 0; i < _bounds.Length; i++)
                {
                    cumulative += buckets[i];
                    AppendSample(text, Name + "_bucket", series.Labels, FormatDouble(_bounds[i]), cumulative.ToString(CultureInfo.InvariantCulture));
                }

                AppendSample(text, Name + "_bucket", series.Labels, "+Inf", count.ToString(CultureInfo.InvariantCulture));
                AppendSample(text, Name + "_sum", series.Labels, null, FormatDouble(sum));
                AppendSample(text, Name + "_count", series.Labels, null, count.ToString(CultureInfo.InvariantCulture));
            }
        }

        private static void AppendSample(StringBuilder text, string name, string labels, string? le, string value)
        {
            text.Append(name);
            if (labels.Length > 0 || le is not null)
            {
                text.Append('{').Append(labels);
                if (le is not null)
                {
                    text.Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
                }

                text.Append('}');
            }

            text.Append(' ').Append(value).Append('\n');
        }
    }

    private sealed class Series
    {
        private readonly KeyValuePair<string, object?>[] _tags;
        private readonly long[] _buckets;
        private readonly Lock _gate = new();
        private double _sum;
        private long _count;

        public long Value;

        public Series(ReadOnlySpan<KeyValuePair<string, object?>> tags, int bucketCount)
        {
            _tags = tags.ToArray();
            _buckets = new long[bucketCount];
            var sorted = _tags.OrderBy(t => t.Key, StringComparer.Ordinal);
            Labels = string.Join(",", sorted.Select(t => $"{Sanitize(t.Key)}=\"{EscapeLabel(Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")}\""));
        }

        /// <summary>The label pairs as the text format writes them (name="value",...), sorted by name.</summary>
        public string Labels { get; }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != _tags.Length)
            {
                return false;
            }

            for (var i = 0; i < tags.Length; i++)
            {
                if (!Contains(tags[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Contains(in KeyValuePair<string, object?> tag)
        {
            foreach (var own in _tags)
            {
                if (string.Equals(own.Key, tag.Key, StringComparison.Ordinal))
                {
                    return ReferenceEquals(own.Value, tag.Value) || Equals(own.Value, tag.Value);
                }
            }

            return false;
        }

        public void Observe(double value, double[] bounds)
        {
            lock (_gate)
            {
                var i = 0;
                while (i < bounds.Length && value > bounds[i])
                {
                    i++;
                }

                if (i < bounds.Length)
                {
                    _buckets[i]++;
                }

                _sum += value;
                _count++;
            }
        }

        public (long[] Buckets, double Sum, long Count) Read()
        {
            lock (_gate)
            {
                return ([.. _buckets], _sum, _count);
            }
        }
    }

    /// <summary>A metric or label name as Prometheus allows it: [a-zA-Z_:][a-zA-Z0-9_:]* (dots and dashes become "_").</summary>
    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (!(char.IsAsciiLetter(c) || c is '_' or ':' || (i > 0 && char.IsAsciiDigit(c))))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
