using System.Diagnostics;
using MjpgStreamer.Core.Mjpeg;
using MjpgStreamer.Core.Sources;

namespace MjpgStreamer.Core.Streaming;

/// <summary>
/// Runs a still command (-still_command "rpicam-still -o - --immediate"): no shell, one JPEG expected on
/// its standard output. A command that fails, writes no JPEG or outlives the caller's deadline is ended
/// (with its process tree) and reported with the last line it wrote to stderr.
/// </summary>
public static class StillCommandRunner
{
    /// <summary>The most bytes taken from the command (a 64 MP JPEG is well under this).</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    public static async Task<byte[]> RunAsync(IReadOnlyList<string> command, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(command);
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var word in command.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new StillFailedException($"cannot start {command[0]}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new StillFailedException($"cannot start {command[0]}: {ex.Message}");
        }

        using (process)
        {
            process.StandardInput.Close();
            var lastError = "";
            var errors = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
                {
                    if (line.Trim().Length > 0)
                    {
                        lastError = line.Trim();
                    }
                }
            }, CancellationToken.None);

            try
            {
                using var output = new MemoryStream();
                var buffer = new byte[81920];
                int read;
                while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
                {
                    if (output.Length + read > MaxBytes)
                    {
                        throw new StillFailedException($"{command[0]} wrote more than {MaxBytes / (1024 * 1024)} MB");
                    }

                    output.Write(buffer, 0, read);
                }

                await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
                await errors.ConfigureAwait(false);
                var jpeg = output.ToArray();
                if (process.ExitCode != 0)
                {
                    throw new StillFailedException($"{command[0]} exited with {process.ExitCode}{(lastError.Length > 0 ? ": " + lastError : "")}");
                }

                if (!JpegInfo.HasSoiAndEoi(jpeg))
                {
                    throw new StillFailedException($"{command[0]} wrote no JPEG to its standard output ({jpeg.Length} bytes)");
                }

                return jpeg;
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                throw new StillFailedException($"{command[0]} did not finish in time{(lastError.Length > 0 ? ": " + lastError : "")}");
            }
            catch (StillFailedException)
            {
                Kill(process);
                throw;
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(1000);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
