using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MjpgStreamer.CommandLine;
using MjpgStreamer.Core.Options;
using MjpgStreamer.Core.Pause;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Plugins;
using MjpgStreamer.Core.Diagnostics;

namespace MjpgStreamer.Hosting;

/// <summary>The composition root: command line → plugins → run until SIGINT/SIGTERM.</summary>
internal static partial class App
{
    public const string Version = "0.2.0";

    /// <summary>What runs when no -i and no -o are given and there is no camera: the test pattern.</summary>
    private static readonly PluginSpec TestPatternInput = PluginSpec.Parse("input_testpattern.so");

    private static readonly PluginSpec DefaultOutput = PluginSpec.Parse("output_http.so -p 8080 -l 127.0.0.1");

    /// <summary>The original's default output when only -i is given: port 8080 on every address.</summary>
    private static readonly PluginSpec DefaultOutputForInputs = PluginSpec.Parse("output_http.so -p 8080");

    public static int Run(string[] args)
    {
        if (Tools.ToolCommands.TryRun(args, out var toolExitCode))
        {
            return toolExitCode;
        }

        if (Background.ChildStatusFile is not null)
        {
            // First of all: Console and the loggers keep duplicates of the descriptors they find.
            Native.Daemon.DetachFromTerminal();
        }

        try
        {
            var (action, options) = GlobalCommandLine.Parse(args);
            switch (action)
            {
                case GlobalCommandLine.Action.Help:
                    Console.Out.Write(Usage.Text);
                    return 0;
                case GlobalCommandLine.Action.Version:
                    Console.Out.WriteLine($"MJPG Streamer Version: {Version}");
                    return 0;
            }

            options = WithDefaults(options);
            var time = TimeProvider.System;
            using ILoggerFactory loggerFactory = CreateLoggerFactory(time);
            var environment = new PluginEnvironment(time, loggerFactory);

            // Everything the command line says is checked before going to the background.
            var inputs = options.Inputs.Select(spec =>
            {
                var parsed = ParseInput(spec);
                var still = parsed.Get(StillCommandKey) is { } text ? ArgumentSplitter.SplitWords(text) : null;
                if (still is { Count: 0 })
                {
                    throw new UsageException($"{spec.Name}: -still_command needs a program");
                }

                var interval = parsed.GetDouble(StillIntervalKey, CameraStream.DefaultStillInterval.TotalSeconds, 0);
                if (interval > MaxStillIntervalSeconds)
                {
                    throw new UsageException($"{spec.Name}: -still_interval '{parsed.Get(StillIntervalKey)}' is more than {MaxStillIntervalSeconds} seconds");
                }

                return (spec, source: PluginTable.FindInput(spec).Create(parsed, environment), still, TimeSpan.FromSeconds(interval), shownArgs: SecretMask.Apply(spec.RawArgs, parsed));
            }).ToList();
            var outputs = options.Outputs.Select(spec =>
            {
                var parsed = ParseOutput(spec);
                return (spec, build: PluginTable.FindOutput(spec).Create(parsed), shownArgs: SecretMask.Apply(spec.RawArgs, parsed));
            }).ToList();
            if (options.Background)
            {
                return Background.LaunchChild(args);
            }

            return RunAsync(inputs, outputs, options, time, loggerFactory)
                .GetAwaiter().GetResult();
        }
        catch (HelpRequestedException help)
        {
            Console.Out.Write(help.HelpText);
            return 0;
        }
        catch (UsageException usage)
        {
            Background.Report(usage.Message);
            Console.Error.WriteLine($"mjpg_streamer: {usage.Message}");
            Console.Error.WriteLine(Usage.Hint);
            return 2;
        }
        catch (StartupException startup)
        {
            Background.Report(startup.Message);
            Console.Error.WriteLine($"mjpg_streamer: {startup.Message}");
            return 1;
        }
    }

    private static StreamerOptions WithDefaults(StreamerOptions options) => (options.Inputs.Count, options.Outputs.Count) switch
    {
        (0, 0) => options with { Inputs = [DefaultInput(Native.Sources.Uvc.CameraScanner.FindDefault())], Outputs = [DefaultOutput] },
        (> 0, 0) => options with { Outputs = [DefaultOutputForInputs] },
        _ => options,
    };

    /// <summary>The embedded default's input: the first camera (MJPEG preferred, else YUYV encoded), else the test pattern.</summary>
    internal static PluginSpec DefaultInput(Native.Sources.Uvc.CameraScanner.Found? camera) => camera is null
        ? TestPatternInput
        : PluginSpec.Parse($"input_uvc.so -d {(camera.Path.Contains(' ', StringComparison.Ordinal) ? $"\"{camera.Path}\"" : camera.Path)}{(camera.Mjpeg ? "" : " -y")}");

    /// <summary>Every input takes -still_command (the program that takes its ?action=still), beside its own options.</summary>
    private const string StillCommandKey = "still_command";

    private static readonly OptionSpec StillCommandOption = new(StillCommandKey, true, StillCommandKey);

    /// <summary>Every input takes -still_interval: the seconds of live frames the stream gets between two stills.</summary>
    private const string StillIntervalKey = "still_interval";

    private static readonly OptionSpec StillIntervalOption = new(StillIntervalKey, true, StillIntervalKey);

    private const int MaxStillIntervalSeconds = 3600;

    private static ParsedOptions ParseInput(PluginSpec spec)
    {
        var plugin = PluginTable.FindInput(spec);
        IReadOnlyList<OptionSpec> options = [
            .. plugin.Options,
            .. new[] { StillCommandOption, StillIntervalOption }.Where(extra => !plugin.Options.Any(o => o.Key == extra.Key)),
        ];
        return PluginOptionParser.Parse(plugin.Name, ArgumentSplitter.SplitWords(spec.RawArgs), options, WithStillCommandHelp(plugin.Help));
    }

    private static string WithStillCommandHelp(string help)
    {
        const string line = " [-still_command ]......: the program that takes ?action=still (run without a shell\n"
            + "                          while the input is released; one JPEG on its stdout)\n"
            + " [-still_interval ].....: seconds of live frames the stream gets between two stills,\n"
            + "                          default 1, 0 = none (one still waits; more get 429)\n";
        var lastRule = help.TrimEnd('\n').LastIndexOf('\n');
        return lastRule < 0 ? help + line : help[..(lastRule + 1)] + line + help[(lastRule + 1)..];
    }

    private static ParsedOptions ParseOutput(PluginSpec spec)
    {
        var plugin = PluginTable.FindOutput(spec);
        return PluginOptionParser.Parse(plugin.Name, ArgumentSplitter.SplitWords(spec.RawArgs), plugin.Options, plugin.Help);
    }

    private static async Task<int> RunAsync(
        List<(PluginSpec Spec, IFrameSource Source, IReadOnlyList<string>? StillCommand, TimeSpan StillInterval, string ShownArgs)> inputs,
        List<(PluginSpec Spec, Func<OutputContext, IOutput> Build, string ShownArgs)> outputs,
        StreamerOptions options,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("mjpg_streamer");
        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var streamer = new Streamer(time, stopping.Token) { ShapeLogger = loggerFactory.CreateLogger("shapes") };
        LogStarting(logger, Version, Environment.ProcessId);
        RaiseDescriptorLimit(logger);

        for (var i = 0; i < inputs.Count; i++)
        {
            var (spec, source, stillCommand, stillInterval, shownArgs) = inputs[i];
            var placeholders = new Native.Sources.PlaceholderFrames();
            var inputLogger = loggerFactory.CreateLogger($"input_{i}");
            streamer.Inputs.Add(new CameraStream(i, spec.Name, shownArgs, source, time, inputLogger)
            {
                PauseFrame = options.PauseFrame,
                PausedPicture = (width, height) => placeholders.Render("PAUSED", "", width, height),
                StillCommand = stillCommand,
                StillInterval = stillInterval,
                RunStillCommand = (argv, cancellation) => Native.Sources.CommandRun.RunStillAsync(argv, inputLogger, time, cancellation),
            });
        }

        // Type=notify units: READY=1, STOPPING=1 and the watchdog (nothing at all without NOTIFY_SOCKET).
        using var systemd = SystemdNotifier.FromEnvironment(
            Environment.GetEnvironmentVariable, Environment.ProcessId, time,
            () => ServiceHealth.FindProblem(streamer.Inputs, streamer.Outputs, time), loggerFactory.CreateLogger("systemd"));
        SystemdNotifier.HideFromChildren();
        var pauseLogger = loggerFactory.CreateLogger("pause");
        using var pause = new PauseCoordinator(streamer.Inputs, options.PauseFile, options.PauseWarn, time, pauseLogger)
        {
            // inotify on the lock file's folder: the process sleeps until a name there changes.
            Watch = Native.Pause.LockFileWatcher.For(time, pauseLogger),
        };
        streamer.Pause = pause;

        try
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                var (spec, build, shownArgs) = outputs[i];
                streamer.Outputs.Add(build(new OutputContext(i, spec.Name, shownArgs, streamer, time, loggerFactory)));
            }

            // A lock file present at start keeps the inputs from opening their devices at all.
            pause.Start();
            foreach (var input in streamer.Inputs)
            {
                await StartPlugin(logger, input.Plugin, () =>
                {
                    input.Start();
                    return Task.CompletedTask;
                });
            }

            // SIGINT/SIGTERM while an output starts is a clean stop too.
            try
            {
                foreach (var output in streamer.Outputs)
                {
                    await StartPlugin(logger, output.Plugin, () => output.StartAsync(stopping.Token));
                }

                Background.Report("ok");
                systemd?.Ready(ReadyStatus(streamer));
                using var startupMemory = new StartupMemory(time, logger);
                startupMemory.Schedule();
                await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }

            systemd?.Stopping();
            LogStopping(logger);
            return 0;
        }
        finally
        {
            await Task.WhenAll(streamer.Outputs.Select(o => o.DisposeAsync().AsTask()));
            await streamer.DisposeShapesAsync();
            await Task.WhenAll(streamer.Inputs.Select(i => i.DisposeAsync().AsTask()));
        }

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    /// <summary>systemd's STATUS= line once everything started, e.g. "streaming 1 input on http://127.0.0.1:8080/".</summary>
    internal static string ReadyStatus(Streamer streamer)
    {
        var inputs = streamer.Inputs.Count == 1 ? "1 input" : $"{streamer.Inputs.Count} inputs";
        var where = string.Join(", ", streamer.Outputs.Select(o => o.ReadyText).OfType<string>());
        return where.Length == 0 ? $"streaming {inputs}" : $"streaming {inputs} on {where}";
    }

    /// <summary>Every HTTP connection takes a descriptor: the soft open-file limit (often 1024) goes up to the hard one.</summary>
    private static void RaiseDescriptorLimit(ILogger logger)
    {
        var (before, after, error) = Native.DescriptorLimit.RaiseToHard();
        if (error != 0)
        {
            LogDescriptorLimitNotRaised(logger, before, error);
        }
        else if (after != before)
        {
            LogDescriptorLimitRaised(logger, before, after);
        }
    }

    /// <summary>
    /// A plugin's start fails with one line, whatever layer the failure comes from: the plugins turn the failures they
    /// expect (a busy port, a missing folder) into StartupException; anything else is named here with its message,
    /// and its stack goes to the debug log only (MJPG_STREAMER_DEBUG=1).
    /// </summary>
    private static async Task StartPlugin(ILogger logger, string plugin, Func<Task> start)
    {
        try
        {
            await start();
        }
        catch (Exception ex) when (ex is not StartupException and not OperationCanceledException)
        {
            LogStartFailed(logger, plugin, ex);
            throw new StartupException($"{plugin}: cannot start: {ex.Message}");
        }
    }

    /// <summary>
    /// The console log (stderr): one line per message, control characters escaped (<see cref="SafeConsoleFormatter"/>),
    /// the same warning at most once per 10 s with a count of its repeats (<see cref="RepeatLimitingLoggerFactory"/>).
    /// </summary>
    private static RepeatLimitingLoggerFactory CreateLoggerFactory(TimeProvider time) => new(LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(Environment.GetEnvironmentVariable("MJPG_STREAMER_DEBUG") is "1" ? LogLevel.Debug : LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // One warning per connection closed at -max_connections: a crowd would flood the log.
        logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Connections", LogLevel.Error);
        // The generic host under each HTTP output logs a failed start with the exception's stack, then throws the
        // exception to HttpOutput.StartAsync, which reports it as one line; its other messages are debug chatter.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging.Services.AddSingleton<ConsoleFormatter>(new SafeConsoleFormatter(time));
        logging.AddConsole(console =>
        {
            console.FormatterName = SafeConsoleFormatter.FormatterName;
            console.LogToStandardErrorThreshold = LogLevel.Trace;
        });
    }), time, RepeatLimitingLoggerFactory.DefaultWindow);

    [LoggerMessage(EventId = LogEvents.AppStarting, Level = LogLevel.Information, Message = "MJPG Streamer Version {Version} starting (pid {Pid})")]
    private static partial void LogStarting(ILogger logger, string version, int pid);

    [LoggerMessage(EventId = LogEvents.AppDescriptorLimit, Level = LogLevel.Debug, Message = "open-file limit raised from {Before} to {After} (the hard limit)")]
    private static partial void LogDescriptorLimitRaised(ILogger logger, long before, long after);

    [LoggerMessage(EventId = LogEvents.AppDescriptorLimitNotRaised, Level = LogLevel.Warning, Message = "cannot raise the open-file limit ({Before}): errno {Errno}")]
    private static partial void LogDescriptorLimitNotRaised(ILogger logger, long before, int errno);

    [LoggerMessage(EventId = LogEvents.AppStopping, Level = LogLevel.Information, Message = "stopping")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = LogEvents.AppStartFailed, Level = LogLevel.Debug, Message = "{Plugin} failed to start")]
    private static partial void LogStartFailed(ILogger logger, string plugin, Exception exception);
}
