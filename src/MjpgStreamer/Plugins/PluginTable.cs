using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Http;
using MjpgStreamer.Native.Sources;
using MjpgStreamer.Native.Sources.Raspicam;
using MjpgStreamer.Native.Sources.Uvc;
using MjpgStreamer.Outputs;

namespace MjpgStreamer.Plugins;

/// <summary>
/// Every plugin there is, by name: reading this table tells you every module (no reflection). A new plugin
/// is its own file plus one line here; the command line, -h and --help find it through this table.
/// </summary>
internal static class PluginTable
{
    public static readonly IReadOnlyList<InputPlugin> Inputs =
    [
        UvcSource.Plugin,
        RaspicamSource.Plugin,
        FolderSource.Plugin,
        TestPatternSource.Plugin,
        ExecSource.Plugin,
        HttpSource.Plugin,
        Ptp2Source.Plugin,
        OpencvSource.Plugin,
    ];

    public static readonly IReadOnlyList<OutputPlugin> Outputs =
    [
        HttpOutput.Descriptor,
        FileOutput.Descriptor,
        UdpOutput.Descriptor,
        Rtsp.RtspOutput.Descriptor,
        Zmq.ZmqOutput.Descriptor,
        ViewerOutput.Descriptor,
    ];

    public static InputPlugin FindInput(CommandLine.PluginSpec spec) =>
        Inputs.FirstOrDefault(p => Matches(p.Name, spec))
        ?? throw new UsageException($"unknown input plugin '{spec.Name}' (known: {string.Join(", ", Inputs.Select(p => p.Name))})");

    public static OutputPlugin FindOutput(CommandLine.PluginSpec spec) =>
        Outputs.FirstOrDefault(p => Matches(p.Name, spec))
        ?? throw new UsageException($"unknown output plugin '{spec.Name}' (known: {string.Join(", ", Outputs.Select(p => p.Name))})");

    private static bool Matches(string pluginName, CommandLine.PluginSpec spec) =>
        pluginName == spec.Identifier + ".so";
}
