using System.Reflection;
using Microsoft.Extensions.Logging;
using MjpgStreamer.Core.Diagnostics;
using MjpgStreamer.Hosting;
using MjpgStreamer.Native.Sources;

namespace MjpgStreamer.Tests.Unit;

/// <summary>Log event ids come from LogEvents, and no two log messages of the program share one.</summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] ProgramAssemblies =
    [
        typeof(LogEvents).Assembly,                                   // MjpgStreamer.Core
        typeof(CommandRun).Assembly,                // MjpgStreamer.Native
        typeof(App).Assembly,                                // mjpg_streamer
    ];

    [Fact]
    public void Every_LogEvents_constant_is_distinct()
    {
        var constants = typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (f.Name, Id: (int)f.GetRawConstantValue()!)).ToList();

        Assert.NotEmpty(constants);
        var clashes = constants.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(c => c.Name))}");
        Assert.Empty(clashes);
    }

    [Fact]
    public void Every_log_message_uses_its_own_LogEvents_id()
    {
        var known = typeof(LogEvents).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetRawConstantValue()!).ToHashSet();
        var messages = ProgramAssemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 40, $"found only {messages.Count} [LoggerMessage] methods");
        Assert.Empty(messages.Where(m => !known.Contains(m.Attribute!.EventId)).Select(m => $"{m.Method}: {m.Attribute!.EventId} is not in LogEvents"));
        var shared = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}");
        Assert.Empty(shared);
    }
}
