namespace MjpgStreamer.Core.Sources;

/// <summary>A parsed ?action=command request (spec §7.2).</summary>
public sealed record CommandRequest(int Id, int Value, int Group, int Dest, int Plugin, string? StringValue);
