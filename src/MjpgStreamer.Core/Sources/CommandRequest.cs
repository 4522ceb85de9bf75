namespace MjpgStreamer.Core.Sources;

/// <summary>A parsed ?action=command request: id, value, group (which kind of setting), dest (0 input, 1 output, 2 program), plugin (its number).</summary>
public sealed record CommandRequest(int Id, int Value, int Group, int Dest, int Plugin, string? StringValue);
