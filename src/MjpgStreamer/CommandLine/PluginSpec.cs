namespace MjpgStreamer.CommandLine;

/// <summary>One -i or -o argument: the plugin name as given and its raw argument string (leading space kept).</summary>
internal sealed record PluginSpec(string Name, string RawArgs)
{
    public static PluginSpec Parse(string spec)
    {
        var (name, rawArgs) = Core.Options.ArgumentSplitter.SplitSpec(spec);
        return new PluginSpec(name, rawArgs);
    }

    /// <summary>The plugin identifier: base name without directory and without ".so" ("input_uvc").</summary>
    public string Identifier
    {
        get
        {
            var baseName = Path.GetFileName(Name);
            return baseName.EndsWith(".so", StringComparison.Ordinal) ? baseName[..^3] : baseName;
        }
    }
}
