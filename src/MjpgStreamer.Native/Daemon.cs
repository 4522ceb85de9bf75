using MjpgStreamer.Native.Interop;

namespace MjpgStreamer.Native;

/// <summary>What the background child does to become a daemon (the parent never forks inside the runtime).</summary>
public static class Daemon
{
    public static void DetachFromTerminal() => LibcProcess.Detach();
}
