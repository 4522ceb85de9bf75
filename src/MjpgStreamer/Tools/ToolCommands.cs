using System.Text;
using MjpgStreamer.Core.Options;

namespace MjpgStreamer.Tools;

/// <summary>
/// The helper verbs that share the server's executable (mjpg_streamer pause, ...). The original has no positional
/// arguments, so a first word that names a verb cannot be mistaken for a server command line.
/// </summary>
internal static class ToolCommands
{
    /// <summary>Add a verb here; the main usage text lists it from this table.</summary>
    private static readonly ToolVerb[] Verbs =
    [
        new("pause", "release every camera until resume (clients stay connected)",
            args => PauseCommand.Run(PauseVerb.Pause, args)),
        new("resume", "end the pause; returns once every camera streams again",
            args => PauseCommand.Run(PauseVerb.Resume, args)),
        new("still", "write a full-resolution still to a file (from the server, or --command)",
            StillCommand.Run),
        new("octolapse-still", "the same, for an Octolapse script camera: mjpg_streamer octolapse-still \"$@\"",
            StillCommand.RunOctolapse),
    ];

    /// <summary>The paragraph at the end of the main usage text.</summary>
    public static string UsageParagraph
    {
        get
        {
            var width = Verbs.Max(v => v.Name.Length);
            var text = new StringBuilder("Helper commands (for scripts; success prints nothing):\n");
            foreach (var verb in Verbs)
            {
                text.Append($"  mjpg_streamer {verb.Name.PadRight(width)}  {verb.Summary}\n");
            }

            text.Append($"Run 'mjpg_streamer {Verbs[0].Name} --help' and so on for their options.\n");
            return text.ToString();
        }
    }

    /// <summary>
    /// If args[0] names a helper verb, runs it and gives its exit code (0 done, 1 failed, 2 bad arguments) and true;
    /// otherwise false, and the server command line goes on as usual.
    /// </summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        var verb = args.Length > 0 ? Array.Find(Verbs, v => v.Name == args[0]) : null;
        if (verb is null)
        {
            exitCode = 0;
            return false;
        }

        exitCode = Run(verb, args.AsSpan(1).ToArray());
        return true;
    }

    private static int Run(ToolVerb verb, string[] args)
    {
        try
        {
            return verb.Run(args);
        }
        catch (HelpRequestedException help)
        {
            Console.Out.Write(help.HelpText);
            return 0;
        }
        catch (UsageException usage)
        {
            Console.Error.WriteLine($"mjpg_streamer {verb.Name}: {ToolText.OneLine(usage.Message)}");
            Console.Error.WriteLine($"Try 'mjpg_streamer {verb.Name} --help' for more information.");
            return 2;
        }
        catch (ToolFailureException failure)
        {
            Console.Error.WriteLine($"mjpg_streamer {verb.Name}: {ToolText.OneLine(failure.Message)}");
            return 1;
        }
#pragma warning disable CA1031 // A script must get one line and exit 1, never a stack trace.
        catch (Exception unexpected)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"mjpg_streamer {verb.Name}: {ToolText.OneLine(unexpected.Message)}");
            return 1;
        }
    }
}
