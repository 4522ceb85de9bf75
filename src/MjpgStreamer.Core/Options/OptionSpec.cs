namespace MjpgStreamer.Core.Options;

/// <summary>One plugin option: its names (short and long, all usable with one or two dashes) and whether it takes a value.</summary>
public sealed record OptionSpec(string Key, bool HasArgument, params string[] Names)
{
    /// <summary>The key of <see cref="RestAfterDoubleDash"/>.</summary>
    public const string RestKey = "--";

    /// <summary>
    /// Opt-in: a plugin whose option list contains this spec takes every word after a lone "--" as
    /// <see cref="ParsedOptions.Rest"/> (a command line to run, say) instead of rejecting "--".
    /// It has no names, so it never matches an option word.
    /// </summary>
    public static OptionSpec RestAfterDoubleDash { get; } = new(RestKey, false);

    /// <summary>
    /// The value is a secret (a password): <see cref="ParsedOptions.Secrets"/> lists it, and
    /// <see cref="SecretMask"/> hides it wherever the argument string is shown (/program.json, logs).
    /// </summary>
    public bool IsSecret { get; init; }
}
