namespace MjpgStreamer.Tests.Soak;

/// <summary>
/// The soak scenarios (bench/MjpgStreamer.Soak, docs/reliability.md), shortened: one at a time and beside no other
/// test, since they measure frame rates and load the machine on purpose.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakRunsAlone
{
    public const string Name = "Soak";
}
