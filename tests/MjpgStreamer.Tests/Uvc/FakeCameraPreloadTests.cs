using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Uvc;

/// <summary>
/// The fake camera under LD_PRELOAD with third-party V4L2 programs, unchanged: Debian's ustreamer (which declares the
/// ioctl request int, so it arrives sign-extended, and waits for frames with select) and ffmpeg -f v4l2. Both come from
/// Debian packages that test.sh installs; without them these tests fail, they never skip.
/// </summary>
public sealed class FakeCameraPreloadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Ustreamer_serves_the_fake_cameras_frames_as_snapshot_and_stream()
    {
        var ustreamer = RequireProgram("ustreamer", "ustreamer");
        using var camera = new FakeCamera();
        var port = FreePort();
        using var process = Start(ustreamer, camera, out var log,
            "--device", camera.Device, "--format", "MJPEG", "--resolution", "1280x720", "--desired-fps", "30",
            "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            byte[]? snapshot = null;
            var last = "";

            // Until the capture runs, ustreamer answers /snapshot with an error or its blank placeholder.
            await Eventually.UntilAsync(
                async () =>
                {
                    if (process.HasExited)
                    {
                        Assert.Fail($"ustreamer exited ({process.ExitCode}): {Text(log)}");
                    }

                    try
                    {
                        using var response = await http.GetAsync("snapshot");
                        last = $"{(int)response.StatusCode}";
                        var body = await response.Content.ReadAsByteArrayAsync();
                        if (response.StatusCode == HttpStatusCode.OK && FakeCamera.ReadComment(body) is not null)
                        {
                            snapshot = body;
                            return true;
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        last = ex.Message;
                    }
                    catch (TaskCanceledException ex)
                    {
                        last = ex.Message;
                    }

                    return false;
                },
                () => $"ustreamer's /snapshot is a frame of the fake camera (last: {last}); log: {Text(log)}",
                Wait);

            var comment = FakeCamera.ReadComment(snapshot!)!;
            Assert.Equal("1280x720", comment["size"]);
            Assert.Equal("MJPG", comment["fourcc"]);
            Assert.True(snapshot![^2] == 0xFF && snapshot[^1] == 0xD9, "the snapshot is a whole JPEG");

            using (var state = JsonDocument.Parse(await http.GetStringAsync("state")))
            {
                var source = state.RootElement.GetProperty("result").GetProperty("source");
                Assert.True(source.GetProperty("online").GetBoolean(), "ustreamer reports the source online");
                Assert.Equal(1280, source.GetProperty("resolution").GetProperty("width").GetInt32());
                Assert.Equal(720, source.GetProperty("resolution").GetProperty("height").GetInt32());
            }

            await using var client = await MjpegClient.ConnectAsync(port, "/stream");
            var numbers = new List<long>();
            for (var i = 0; i < 6; i++)
            {
                var part = await client.NextAsync(Wait);
                Assert.Equal("image/jpeg", part.Headers["Content-Type"]);
                var fields = FakeCamera.ReadComment(part.Jpeg) ?? throw new Xunit.Sdk.XunitException("a stream part is not the fake camera's frame");
                Assert.Equal("1280x720", fields["size"]);
                numbers.Add(long.Parse(fields["frame"], CultureInfo.InvariantCulture));
            }

            // Fresh frames, in order (ustreamer may drop some, never repeat or reorder them).
            for (var i = 1; i < numbers.Count; i++)
            {
                Assert.True(numbers[i] > numbers[i - 1], $"frame numbers increase: {string.Join(' ', numbers)}");
            }

            Assert.DoesNotContain("Inappropriate ioctl", Text(log), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(process);
        }
    }

    [Fact]
    public async Task Ffmpeg_v4l2_reads_five_frames_from_the_fake_camera()
    {
        var ffmpeg = RequireProgram("ffmpeg", "ffmpeg");
        using var camera = new FakeCamera();

        // Decoding: ffmpeg has nothing to complain about.
        var decode = await RunAsync(ffmpeg, camera,
            "-nostdin", "-v", "error", "-f", "v4l2", "-input_format", "mjpeg", "-video_size", "1280x720",
            "-i", camera.Device, "-frames:v", "5", "-f", "null", "-");
        Assert.True(decode.Exit == 0 && decode.Log.Length == 0, $"ffmpeg -f null (exit {decode.Exit}): {decode.Log}");

        // Copying: the five files are the camera's JPEGs, consecutive frames of the asked size. (ffmpeg may report
        // a QBUF failure at exit here: with -c copy it gives a buffer back after closing the device, as on a real one.)
        var folder = Path.Combine(camera.Folder, "out");
        Directory.CreateDirectory(folder);
        var copy = await RunAsync(ffmpeg, camera,
            "-nostdin", "-v", "error", "-f", "v4l2", "-input_format", "mjpeg", "-video_size", "1280x720",
            "-i", camera.Device, "-frames:v", "5", "-c", "copy", "-f", "image2", Path.Combine(folder, "f%02d.jpg"));
        Assert.True(copy.Exit == 0, $"ffmpeg -c copy (exit {copy.Exit}): {copy.Log}");
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(5, files.Length);
        long? previous = null;
        foreach (var file in files)
        {
            var jpeg = await File.ReadAllBytesAsync(file);
            var fields = FakeCamera.ReadComment(jpeg) ?? throw new Xunit.Sdk.XunitException($"{file} is not the fake camera's frame");
            Assert.Equal("1280x720", fields["size"]);
            var number = long.Parse(fields["frame"], CultureInfo.InvariantCulture);
            Assert.True(previous is null || number == previous + 1, $"frame {number} follows {previous}");
            previous = number;
        }
    }

    private static Process Start(string program, FakeCamera camera, out StringBuilder log, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No MJPG_STREAMER_V4L2_LIB here: the program's own libc calls reach the fake through the preload.
        start.Environment["LD_PRELOAD"] = FakeCamera.LibraryPath;
        start.Environment["FAKECAM_DEVICES"] = string.Join(':', camera.Devices);
        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + program);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        log = output;
        return process;
    }

    private static async Task<(int Exit, string Log)> RunAsync(string program, FakeCamera camera, params string[] args)
    {
        using var process = Start(program, camera, out var log, args);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish within 30 s: {Text(log)}");
        }

        await process.WaitForExitAsync(); // the asynchronous readers have seen the end of the output
        return (process.ExitCode, Text(log).Trim());
    }

    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private static string Text(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static string RequireProgram(string name, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        Assert.Fail($"'{name}' is not installed: install the Debian package {package} (apt-get install -y {package}; test.sh does it)");
        return "";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
