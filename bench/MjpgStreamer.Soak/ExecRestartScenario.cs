using System.Diagnostics;

namespace MjpgStreamer.Soak;

/// <summary>
/// e. input_exec programs that print a JPEG twice and exit, restarted by the server again and again (up to 10 inputs
/// side by side, since each backs off 0.5 s, 1 s, 2 s, … up to 10 s): the server's pipe descriptors
/// (/proc/PID/fd → pipe:) stay flat: the fewest seen in the last quarter of the run are no more than in the first
/// (a leaked pipe stays), and the most stay within every program running at once.
/// </summary>
public static class ExecRestartScenario
{
    /// <summary>A 64x48 baseline JPEG (ffmpeg's test source).</summary>
    private const string Jpeg = "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgQEBMQExYWFhYWFhoYGhsbGxoaGhobGxsdHR0iIiIdHR0bGx0dICAiIiUmJSMjIiMmJigoKDAwLi44ODpFRVP/xACxAAACAgMBAQAAAAAAAAAAAAAABwYIBAUDAgEBAAIDAQEBAAAAAAAAAAAAAAAGBwQIBQIBEAABAwIDAgcKDwEBAAAAAAABAgARBAMSBSFBMTJRcWEiEwaiFcGB0pKC4UNEs8OjwtHThOPiQqFidCNzkTURAAEDAgMCBwwJBQEAAAAAAAEAAgMEETEhBRMGQUODEmHSgYLiwsOjkcFRROMWQtFx0yIUMvCioSNyUpJjNP/AABEIADAAQAMBEgACEgADEgD/2gAMAwEAAhEDEQA/AK/vcZfRrzCqs0yNDdVE6dFI1UqCUzhSCYmTEBiEITWoqI1Bxr0tju+Yc3GfEGwEITbSEpEAbg6FJSGY852TB+7oHR6z5k7MY1jQ1osBgE17w7wt0xpp6ch1U4dBEAPzOGBeRm1p/udlYHMFRUS1Ur5pnmSR5u5xxPoAAyAGQGQyS8JKjJ1L8tliiZAxscbQ1rRYAfrH1k5kqwtqwwx00bYomhjGCzWjg9JJxJOZOZVpLNja0LP6FcVjwAhNSEst7+tva4tIc0kEG4INiCMCD614UBNc5jg5pLXNIIINiCMCCMwQvCwaKv6w9XdPSPBVoMXMY0B4uPlcFBIIIMEagjY5bpK3aHmSH73yuwv0Hgv6vX9aTgSDcZEcKlfeHdgUjTVUTTsWj+rFcuMduMaSS5zOF1yS3H8uGj3sbI1zXNDmuBa5rgCHA5EEHIgjEK2Lh+RZj3zoLd4mbif67v8AokCTwUjpAhcJEDFGxtSFAiEjOxaEqzK4SkEpp1qSSASk47aZHEYJEjYSH07Ff+je/ir+FtMQhCabG1oWf0JasbShbrQlmxtaFn9CuKx4AQmpCWbG2IWf0JasbShbqQpv2GWoprU4jhBsKCZMAq6wEgbpISJO2A/HYX3/AOz/ABra0KAEKNZLQqpauzUpugm2T0SgwQpJSoSF6GCYOsHYXE7OdVNjgosnlCvAsNck1DZ8Xfuu9Vh9BFJiX9hHVTdNpWy42/cW8JVJNTmlxbH2B3WVkup6OKf09bhdNnKlnBeCEg7lAEQf3So6c+x1fiTO34byvu1y4NOpXPtK+Vt8CHNsD03YcungUQzaBsfaL8nbxhUza1pdQ2nMtGNq5ly+J4u5zf8Anzeb94f42JdwZ5HiuhwHhz6PrfBdZcUdUpHiP0t2ZvPz/Zbct7pdOPd2isHNlncCAQQ+Mgg4EER5hcGbevZH/wAl+Wt4pdR27VBUAPEs5DgCC18ZBBwIOzNwVoRkE+8fJ/ePXDPakfks+avy21wa/tvZ7cpfxYXRi0KmhwfN2uZ1FDB1a3E/v71XDpcB+aTzt6qcNRm3UeyxenHzS8y9ldi/wlXByFPhSXC8e6W09rtyPvVxmb1V0eEdN2tk+1XWh1ra8TblL+Ar8ej08WDpe0t6iUnffpYep7v8Dze9VjFOK7/1PkuRfhLK/wCL8j71cb4qrrW2dN/rJ9qlqHSdtx1u4v4QVOLVJ4sGx9od1lokIxjfDlFFQKUkm7iQNwG5XKZ3DxatgfoPM9ovyffrpw1tVMCZWRsHAA1wd9Zu42C1fDVbUflt239Ch3Vd44dPc2GgMdQ4ZvkcefEARk1pjLec7hJBs3DM3t1yjME5NSmwLRvFVxVxSjcCRJAGicBgQkbydZPM2CezlIfaX/OR9W1qdux6f4+lfJXGbH+P0U6jRL8f5Pv1QGs1A+SLzO66/9k=";

    private const string Child = "# run as /bin/sh child.sh: one line per start, then two JPEGs, then exit\necho >> \"$0.count\"\ncat \"${0%/*}/frame.jpg\" \"${0%/*}/frame.jpg\"\n";

    public static async Task<ScenarioResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var result = new ScenarioResult("e. input_exec restarts");
        string? counter = null;
        var inputs = Enumerable.Repeat("input_exec.so -- /bin/sh {folder}/child.sh", options.ExecInputs);
        await using var server = await SoakServer.StartAsync(
            options.Executable,
            inputs,
            prepare: folder =>
            {
                File.WriteAllBytes(Path.Combine(folder, "frame.jpg"), Convert.FromBase64String(Jpeg));
                var child = Path.Combine(folder, "child.sh");
                File.WriteAllText(child, Child);
                counter = child + ".count";
                return null;
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var sampler = new ProcessSampler(server.Pid);
        var started = Stopwatch.GetTimestamp();
        var samples = new List<(int Starts, ProcessSample Sample)>();
        var starts = 0;
        while (Scenario.TimeLeft(started, options.ExecCap) && !server.HasExited && !cancellationToken.IsCancellationRequested
            && (options.ExecUseCap || starts < options.ExecRestarts + options.ExecInputs))
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            starts = Starts(counter!);
            if (sampler.Sample() is { } sample)
            {
                samples.Add((starts, sample));
            }
        }

        var restarts = Math.Max(0, starts - options.ExecInputs);
        Scenario.CheckAlive(server, result);
        for (var i = 0; i < restarts; i++)
        {
            result.CountRequest();
        }

        // Each input backs off up to 10 s, so a short run ends at its time cap before the count; that is no failure,
        // but every program must have been restarted at least once.
        if (restarts < options.ExecInputs)
        {
            result.Fail($"only {restarts} restarts of {options.ExecInputs} programs within {options.ExecCap.TotalSeconds:0} s");
        }

        if (samples.Count >= 8)
        {
            // Flat: a leaked pipe stays, so the floor (the fewest pipes in a quarter of the run: no program running)
            // must not rise; and the ceiling stays within every program running at once (3 pipes each at most).
            var quarter = samples.Count / 4;
            var first = samples.Take(quarter).Select(s => s.Sample).ToList();
            var last = samples.Skip(samples.Count - quarter).Select(s => s.Sample).ToList();
            var (firstFloor, lastFloor) = (first.Min(s => s.Pipes), last.Min(s => s.Pipes));
            var (firstTop, lastTop) = (first.Max(s => s.Pipes), last.Max(s => s.Pipes));
            var (firstFds, lastFds) = (first.Min(s => s.Fds), last.Min(s => s.Fds));
            result.Work = $"{restarts} restarts{(restarts < options.ExecRestarts ? $" of {options.ExecRestarts} (time cap)" : "")} of {options.ExecInputs} programs; "
                + $"pipes fewest/most in the first quarter {firstFloor}/{firstTop}, in the last {lastFloor}/{lastTop}; fewest fds {firstFds}/{lastFds}";
            if (lastFloor > firstFloor)
            {
                result.Fail($"pipe descriptors grew: at least {firstFloor} in the first quarter of the run, {lastFloor} in the last");
            }

            if (lastTop > Math.Max(firstTop, firstFloor + (3 * options.ExecInputs)))
            {
                result.Fail($"pipe descriptors grew: at most {firstTop} in the first quarter of the run, {lastTop} in the last");
            }

            if (lastFds > firstFds)
            {
                result.Fail($"descriptors grew: at least {firstFds} in the first quarter of the run, {lastFds} in the last");
            }
        }
        else
        {
            result.Fail("too few samples to judge the descriptors");
        }

        result.Finish(sampler);
        return result;
    }

    private static int Starts(string counter)
    {
        try
        {
            return File.ReadAllLines(counter).Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
