using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MjpgStreamer.Tests.Infrastructure;

namespace MjpgStreamer.Tests.Outputs;

/// <summary>output_file.so end to end: the real executable records the test pattern into a temp folder.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class FileOutputTests
{
    private const string Input = "input_testpattern.so -r 160x120 -f 20";

    [GeneratedRegex(@"^[0-9]{4}_[0-9]{2}_[0-9]{2}_[0-9]{2}_[0-9]{2}_[0-9]{2}_picture_([0-9]{9})\.jpg$")]
    private static partial Regex PictureName();

    [Fact]
    public async Task Pictures_get_the_originals_names_and_mode_the_ring_keeps_the_newest_a_foreign_file_survives_and_the_link_is_the_newest()
    {
        var folder = TestMedia.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "foreign.jpg"), "not ours\n");
        // Named like a picture but a day apart from ours would still match the pattern: this one does not (8 digits).
        File.WriteAllText(Path.Combine(folder, "2000_01_01_00_00_00_picture_00000001.jpg"), "not ours either\n");
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so --folder {folder} -s 3 -l last.jpg"]);
        await WaitForWrittenAsync(server, 1, "files_written", 12);
        Assert.Equal(0, await server.StopAsync());

        var pictures = Pictures(folder);
        Assert.Equal(3, pictures.Count);
        var counters = pictures.Select(p => int.Parse(PictureName().Match(p).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(counters[0] >= 9, $"the oldest kept is {counters[0]}");
        Assert.Equal([counters[0], counters[0] + 1, counters[0] + 2], counters);
        Assert.True(File.Exists(Path.Combine(folder, "foreign.jpg")));
        Assert.True(File.Exists(Path.Combine(folder, "2000_01_01_00_00_00_picture_00000001.jpg")));
        foreach (var picture in pictures)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(folder, picture)));
            var bytes = File.ReadAllBytes(Path.Combine(folder, picture));
            Assert.Equal([0xFF, 0xD8], bytes[..2]);
            Assert.Equal([0xFF, 0xD9], bytes[^2..]);
        }

        // The link is a hard link of the newest picture (same inode), and no temporary name is left.
        var newest = await ProgramRun.RunToolAsync("stat", "-c", "%i %h", Path.Combine(folder, pictures[^1]));
        var link = await ProgramRun.RunToolAsync("stat", "-c", "%i %h", Path.Combine(folder, "last.jpg"));
        Assert.Equal(newest.Stdout, link.Stdout);
        Assert.EndsWith(" 2\n", link.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder, ".*"));
    }

    [Fact]
    public async Task With_exceed_the_ring_is_pruned_only_every_exceed_plus_one_pictures()
    {
        var folder = TestMedia.NewTempFolder();
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "keep me\n");
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder} -s 2 -e 3"]);
        await WaitForWrittenAsync(server, 1, "files_written", 14);
        Assert.Equal(0, await server.StopAsync());

        // The counter after the newest is c = newest + 1; the last pruning was at the last multiple of 4 (-e 3) up to c,
        // leaving 2, and every picture since stays.
        var pictures = Pictures(folder);
        var next = int.Parse(PictureName().Match(pictures[^1]).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1;
        var lastPrune = next - (next % 4);
        Assert.Equal(2 + (next - lastPrune), pictures.Count);
        Assert.True(File.Exists(Path.Combine(folder, "notes.txt")));
    }

    [Fact]
    public async Task The_command_runs_without_a_shell_with_the_file_last_and_in_MJPG_FILE_one_at_a_time_without_blocking_the_recording()
    {
        var folder = TestMedia.NewTempFolder();
        var work = TestMedia.NewTempFolder();
        var log = Path.Combine(work, "got.log");
        var script = Path.Combine(work, "record.sh");
        File.WriteAllText(script, $"#!/bin/sh\nprintf '%s|%s|%s|%s|%s\\n' \"$#\" \"$1\" \"$2\" \"$3\" \"$MJPG_FILE\" >> {log}\nsleep 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // A shell would make 'a b;' one word (and run nothing after ';'): without one, the single quotes are plain characters.
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder} -c \"{script} 'a b;'\""]);

        await Eventually.UntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length >= 2, "the command ran twice");
        var state = await OutputStateAsync(server, 1);
        // About 20 pictures a second were written while each command took a second: most pictures started none.
        Assert.True(state.GetProperty("files_written").GetInt64() > state.GetProperty("commands_started").GetInt64() + 5, state.ToString());
        Assert.True(state.GetProperty("commands_skipped").GetInt64() > 0, state.ToString());
        await server.StopAsync();

        foreach (var line in File.ReadAllLines(log))
        {
            var fields = line.Split('|');
            Assert.Equal(["3", "'a", "b;'"], fields[..3]);
            Assert.Equal(fields[3], fields[4]);
            Assert.Equal(folder, Path.GetDirectoryName(fields[3]));
            Assert.Matches(PictureName(), Path.GetFileName(fields[3]));
            Assert.True(File.Exists(fields[3]));
        }
    }

    [Fact]
    public async Task The_mjpeg_file_holds_whole_frames_that_ffprobe_counts_one_by_one()
    {
        var folder = TestMedia.NewTempFolder();
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder} -m rec.mjpg"]);
        await WaitForWrittenAsync(server, 1, "frames_written", 10);
        Assert.Equal(0, await server.StopAsync());

        var file = Path.Combine(folder, "rec.mjpg");
        var bytes = File.ReadAllBytes(file);
        Assert.Equal([0xFF, 0xD8], bytes[..2]);
        Assert.Equal([0xFF, 0xD9], bytes[^2..]);
        var soi = CountStartsOfImage(bytes);
        var probe = await ProgramRun.RunToolAsync("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", "-f", "mjpeg", file);
        Assert.True(probe.ExitCode == 0, probe.Stderr);
        Assert.Equal("", probe.Stderr);
        Assert.Equal(soi, int.Parse(probe.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(soi >= 10, $"{soi} frames");
        Assert.Empty(Pictures(folder));
    }

    [Fact]
    public async Task A_write_error_is_logged_once_retried_and_the_server_keeps_serving()
    {
        var folder = TestMedia.NewTempFolder();
        // /dev/full: every write fails with ENOSPC, as on a full disk.
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder} -m /dev/full"]);
        await Eventually.UntilAsync(async () => (await OutputStateAsync(server, 1)).GetProperty("write_errors").GetInt64() >= 3, "three writes were tried and failed");

        var snapshot = await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot");
        Assert.Equal(200, snapshot.Status);
        var state = await OutputStateAsync(server, 1);
        Assert.True(state.GetProperty("failing").GetBoolean());
        Assert.Contains("No space left on device", state.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, state.GetProperty("frames_written").GetInt64());
        Assert.Equal(1, Regex.Count(server.Stderr, "cannot write /dev/full"));
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task Pictures_that_cannot_be_written_are_logged_once_and_recording_resumes_when_the_folder_is_back()
    {
        var folder = TestMedia.NewTempFolder();
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder} -s 5"]);
        await WaitForWrittenAsync(server, 1, "files_written", 2);

        // The folder goes away (an unmounted card, say): every write fails until it is back. Moved away in one step:
        // a recursive delete races the server's next picture ("Directory not empty").
        Directory.Move(folder, folder + ".gone");
        await Eventually.UntilAsync(async () => (await OutputStateAsync(server, 1)).GetProperty("write_errors").GetInt64() >= 3, "three pictures were tried and failed");
        Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot")).Status);
        Assert.Equal(1, Regex.Count(server.Stderr, $"cannot write {Regex.Escape(folder)}/"));
        var failed = (await OutputStateAsync(server, 1)).GetProperty("files_written").GetInt64();

        Directory.CreateDirectory(folder);
        await WaitForWrittenAsync(server, 1, "files_written", failed + 2);
        Assert.Contains("writing again", server.Stderr, StringComparison.Ordinal);
        Assert.False((await OutputStateAsync(server, 1)).GetProperty("failing").GetBoolean());
        Assert.NotEmpty(Pictures(folder));
    }

    [Fact]
    public async Task Take_saves_inside_the_folder_and_refuses_names_that_leave_it()
    {
        var root = TestMedia.NewTempFolder();
        var folder = Path.Combine(root, "shots");
        Directory.CreateDirectory(folder);
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder} -d 100000"]);
        await Eventually.UntilAsync(async () => (await RawHttp.GetResponseAsync(server.Port, "/?action=snapshot")).Status == 200, "a first frame");

        var taken = await RawHttp.GetResponseAsync(server.Port, "/?action=take&filename=shot.jpg");
        Assert.Equal(200, taken.Status);
        Assert.Equal("image/jpeg", taken.Header("Content-Type"));
        Assert.Equal([0xFF, 0xD8], File.ReadAllBytes(Path.Combine(folder, "shot.jpg"))[..2]);

        foreach (var bad in new[] { "../x.jpg", "%2e%2e%2fx.jpg", "..%2Fx.jpg", "a/b.jpg", "a%2fb.jpg", "..", "%2ftmp%2fx.jpg" })
        {
            var refused = await RawHttp.GetResponseAsync(server.Port, "/?action=take&filename=" + bad);
            Assert.True(refused.Status == 400, $"{bad}: {refused.StatusLine}");
            Assert.Contains("is not a plain file name", refused.BodyText, StringComparison.Ordinal);
        }

        // The take command: value= is the name.
        Assert.Equal("1: 0", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=1&plugin=1&id=1&value=bycommand.jpg")).BodyText);
        Assert.True(File.Exists(Path.Combine(folder, "bycommand.jpg")));
        Assert.Equal("1: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=1&plugin=1&id=1&value=..%2fx.jpg")).BodyText);
        Assert.Equal("1: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=1&plugin=1&id=1")).BodyText);
        Assert.Equal("2: -1", (await RawHttp.GetResponseAsync(server.Port, "/?action=command&dest=1&plugin=1&id=2&value=y.jpg")).BodyText);

        // Without filename=: the next picture name.
        Assert.Equal(200, (await RawHttp.GetResponseAsync(server.Port, "/?action=take")).Status);
        await server.StopAsync();

        // Nothing outside the folder, no subfolder inside it.
        Assert.Equal(["shots"], Directory.GetFileSystemEntries(root).Select(p => Path.GetFileName(p)).ToArray());
        Assert.Empty(Directory.GetDirectories(folder));
        Assert.False(File.Exists("/tmp/x.jpg") && File.GetLastWriteTimeUtc("/tmp/x.jpg") > DateTime.UtcNow.AddMinutes(-1));
        Assert.Equal(["bycommand.jpg", "shot.jpg"], Directory.GetFiles(folder).Select(p => Path.GetFileName(p)).Where(n => !PictureName().IsMatch(n)).Order().ToArray());
        // -d 100000: the recording saved one picture and waits; the other is the take without filename=.
        Assert.Equal(2, Pictures(folder).Count);
    }

    [Fact]
    public async Task While_paused_the_placeholder_frames_are_not_recorded_and_recording_resumes_after()
    {
        var folder = TestMedia.NewTempFolder();
        var lockFile = Path.Combine(TestMedia.NewTempFolder(), "paused.lock");
        await using var server = await ServerProcess.StartAsync(["--pause-file", lockFile, "-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder}"]);
        await WaitForWrittenAsync(server, 1, "files_written", 3);

        File.WriteAllText(lockFile, "");
        await ServerState.WaitForAsync(server, "released", "lock file");
        var before = (await OutputStateAsync(server, 1)).GetProperty("files_written").GetInt64();
        // Two keep-alive pictures (about one a second) reach the stream while paused; the file output skips them.
        await using (var client = await MjpegClient.ConnectAsync(server.Port))
        {
            await client.NextAsync();
            await client.NextAsync();
            await client.NextAsync();
        }

        Assert.Equal(before, (await OutputStateAsync(server, 1)).GetProperty("files_written").GetInt64());
        Assert.Equal(before, Pictures(folder).Count);

        File.Delete(lockFile);
        await WaitForWrittenAsync(server, 1, "files_written", before + 3);
    }

    [Fact]
    public async Task Program_json_lists_both_outputs_and_output_json_the_take_controls()
    {
        var folder = TestMedia.NewTempFolder();
        var port = UdpOutputTests.FreeUdpPort();
        await using var server = await ServerProcess.StartAsync(["-i", Input, "-o", "output_http.so -p 0 -l 127.0.0.1", "-o", $"output_file.so -f {folder}", "-o", $"output_udp.so -p {port} -f {folder}"]);
        var program = (await RawHttp.GetResponseAsync(server.Port, "/program.json")).BodyText;
        Assert.Contains($"\"id\": \"1\",\n\"name\": \"FILE output plugin\",\n\"plugin\": \"output_file.so\",\n\"args\": \" -f {folder}\"", program, StringComparison.Ordinal);
        Assert.Contains($"\"id\": \"2\",\n\"name\": \"UDP output plugin\",\n\"plugin\": \"output_udp.so\",\n\"args\": \" -p {port} -f {folder}\"", program, StringComparison.Ordinal);

        var controls = JsonDocument.Parse((await RawHttp.GetResponseAsync(server.Port, "/output_1.json")).Body).RootElement.GetProperty("controls");
        Assert.Equal(2, controls.GetArrayLength());
        Assert.Equal(("Take snapshot", "1", "4", "1"), (controls[0].GetProperty("name").GetString(), controls[0].GetProperty("id").GetString(), controls[0].GetProperty("type").GetString(), controls[0].GetProperty("dest").GetString()));
        Assert.Equal(("Filename", "2", "7", "32"), (controls[1].GetProperty("name").GetString(), controls[1].GetProperty("id").GetString(), controls[1].GetProperty("type").GetString(), controls[1].GetProperty("max").GetString()));
        var udp = JsonDocument.Parse((await RawHttp.GetResponseAsync(server.Port, "/output_2.json")).Body).RootElement.GetProperty("controls");
        Assert.Equal(0, udp.GetArrayLength());
    }

    private static List<string> Pictures(string folder) =>
        [.. Directory.GetFiles(folder).Select(p => Path.GetFileName(p)).Where(n => PictureName().IsMatch(n)).Order(StringComparer.Ordinal)];

    private static int CountStartsOfImage(byte[] bytes)
    {
        var count = 0;
        for (var i = 0; i + 2 < bytes.Length; i++)
        {
            if (bytes[i] == 0xFF && bytes[i + 1] == 0xD8 && bytes[i + 2] == 0xFF)
            {
                count++;
            }
        }

        return count;
    }

    internal static async Task<JsonElement> OutputStateAsync(ServerProcess server, int output) =>
        (await ServerState.GetJsonAsync(server, "/state")).GetProperty("outputs")[output];

    private static Task WaitForWrittenAsync(ServerProcess server, int output, string field, long count) =>
        Eventually.UntilAsync(async () => (await OutputStateAsync(server, output)).GetProperty(field).GetInt64() >= count, $"{field} reaches {count}");
}
