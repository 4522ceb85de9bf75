namespace MjpgStreamer.Tests.Infrastructure;

/// <summary>What the stub /state server saw of one request.</summary>
public sealed record StubRequest(string Path, string? Authorization);
