using System.Globalization;

namespace MjpgStreamer.Http;

/// <summary>What a request asks for, decided from its method and raw target: the original's rules, with our improvements (docs/compatibility.md).</summary>
internal readonly record struct RequestRoute(RouteKind Kind, int Number = 0)
{
    /// <summary>
    /// The request changes something (runs a command, pauses, takes a still): a browser may send it only from a
    /// page of this server (<see cref="RequestGuard"/> refuses it cross-site). Every route kind must say so here:
    /// the switch has no default, so a new kind does not compile until it is listed.
    /// </summary>
#pragma warning disable CS8524 // only named kinds are ever routed
    public bool HasSideEffect => Kind switch
    {
        RouteKind.Command or RouteKind.Take or RouteKind.Pause or RouteKind.Resume or RouteKind.Still => true,
        RouteKind.Malformed or RouteKind.Snapshot or RouteKind.Stream or RouteKind.InputJson or RouteKind.OutputJson
            or RouteKind.ProgramJson or RouteKind.State or RouteKind.Metrics or RouteKind.File or RouteKind.Page => false,
    };
#pragma warning restore CS8524

    public static RequestRoute From(string method, string rawTarget)
    {
        var isPost = method == "POST";
        if (method is not ("GET" or "HEAD") && !isPost)
        {
            return new(RouteKind.Malformed);
        }

        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var query = question < 0 ? "" : rawTarget[(question + 1)..];
        if (isPost)
        {
            // The original streams on "POST /stream"; nothing else takes a POST.
            return path == "/stream" ? new(RouteKind.Stream) : new(RouteKind.Malformed);
        }

        switch (path)
        {
            case "/":
                return FromAction(query);
            case "/stream":
                return new(RouteKind.Stream, QueryNumber(query));
            case "/snapshot":
                return new(RouteKind.Snapshot, QueryNumber(query));
            case "/still":
                return new(RouteKind.Still, QueryNumber(query));
            case "/state":
                return new(RouteKind.State);
            case "/metrics":
                return new(RouteKind.Metrics);
            case "/program.json":
                return new(RouteKind.ProgramJson);
            case "/ui":
                return new(RouteKind.Page);
        }

        if (path.StartsWith("/ui/", StringComparison.Ordinal))
        {
            return new(RouteKind.Page);
        }

        if (path.StartsWith("/input", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal))
        {
            return new(RouteKind.InputJson, SuffixNumber(path));
        }

        if (path.StartsWith("/output", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal))
        {
            return new(RouteKind.OutputJson, SuffixNumber(path));
        }

        return new(RouteKind.File);
    }

    /// <summary>"action=" anywhere in the query; other parameters (cache busters) are ignored.</summary>
    private static RequestRoute FromAction(string query)
    {
        foreach (var part in query.Split('&'))
        {
            if (!part.StartsWith("action=", StringComparison.Ordinal))
            {
                continue;
            }

            var action = part["action=".Length..];
            if (action.StartsWith("still", StringComparison.Ordinal))
            {
                return new(RouteKind.Still, SuffixNumber(action));
            }

            if (action.StartsWith("snapshot", StringComparison.Ordinal))
            {
                return new(RouteKind.Snapshot, SuffixNumber(action));
            }

            if (action.StartsWith("stream", StringComparison.Ordinal))
            {
                return new(RouteKind.Stream, SuffixNumber(action));
            }

            if (action.StartsWith("command", StringComparison.Ordinal))
            {
                return new(RouteKind.Command);
            }

            if (action.StartsWith("take", StringComparison.Ordinal))
            {
                return new(RouteKind.Take);
            }

            if (action == "pause")
            {
                return new(RouteKind.Pause);
            }

            if (action == "resume")
            {
                return new(RouteKind.Resume);
            }

            // An unknown action serves the index, as the original.
            return new(RouteKind.File);
        }

        return new(RouteKind.File);
    }

    /// <summary>The number after the first "_" ("stream_1", "input_2.json"); 0 without one.</summary>
    private static int SuffixNumber(string text)
    {
        var underscore = text.IndexOf('_', StringComparison.Ordinal);
        if (underscore < 0)
        {
            return 0;
        }

        var digits = 0;
        while (underscore + 1 + digits < text.Length && char.IsAsciiDigit(text[underscore + 1 + digits]) && digits < 3)
        {
            digits++;
        }

        return digits == 0 ? 0 : int.Parse(text.AsSpan(underscore + 1, digits), CultureInfo.InvariantCulture);
    }

    /// <summary>"/stream?input=1" selects input 1 on the alias paths.</summary>
    private static int QueryNumber(string query)
    {
        foreach (var part in query.Split('&'))
        {
            if (part.StartsWith("input=", StringComparison.Ordinal)
                && int.TryParse(part.AsSpan("input=".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }
        }

        return 0;
    }
}

internal enum RouteKind
{
    Malformed,
    Snapshot,
    Stream,
    Command,
    Take,
    InputJson,
    OutputJson,
    ProgramJson,
    State,
    Metrics,
    Pause,
    Resume,
    Still,
    File,

    /// <summary>The built-in page under "/ui/" (ours; at "/" it is a <see cref="File"/> without -w).</summary>
    Page,
}
