using Microsoft.Extensions.Logging.Abstractions;
using MjpgStreamer.Core.Sources;
using MjpgStreamer.Core.Streaming;
using MjpgStreamer.Http;

namespace MjpgStreamer.Tests.Unit;

/// <summary>
/// /input.json menus in the original's form: every index from min to max, "" where the camera has none.
/// Octolapse recognises a camera by comparing these menus exactly.
/// </summary>
public sealed class InputJsonMenuTests
{
    [Fact]
    public async Task A_menu_with_gaps_lists_every_index_from_min_to_max()
    {
        var exposure = new Control("Exposure, Auto", 10094849, 3, 0, 3, 1, 3, 3, 0, CommandGroups.V4l2,
            new Dictionary<int, string> { [1] = "Manual Mode", [3] = "Aperture Priority Mode" });
        await using var input = new CameraStream(0, "input_uvc.so", "", new ControlsOnly([exposure]), TimeProvider.System, NullLogger.Instance);

        // The original's bytes for this control (one key a line, numbers as strings, the menu on one line).
        const string Expected = """
            {
            "name": "Exposure, Auto",
            "id": "10094849",
            "type": "3",
            "min": "0",
            "max": "3",
            "step": "1",
            "default": "3",
            "value": "3",
            "dest": "0",
            "flags": "0",
            "group": "1",
            "menu": {"0": "", "1": "Manual Mode", "2": "", "3": "Aperture Priority Mode"}
            }
            """;
        Assert.Equal("{\n\"controls\": [\n" + Expected.ReplaceLineEndings("\n") + "\n],\n\"formats\": [\n\n]\n}\n", JsonDocuments.Input(input));
    }

    [Fact]
    public async Task A_menu_that_does_not_start_at_zero_starts_at_its_minimum()
    {
        var menu = new Control("Scene", 42, 3, 2, 4, 1, 2, 2, 0, CommandGroups.V4l2, new Dictionary<int, string> { [2] = "A", [4] = "C" });
        await using var input = new CameraStream(0, "input_uvc.so", "", new ControlsOnly([menu]), TimeProvider.System, NullLogger.Instance);

        Assert.Contains("\"menu\": {\"2\": \"A\", \"3\": \"\", \"4\": \"C\"}", JsonDocuments.Input(input), StringComparison.Ordinal);
    }

    private sealed class ControlsOnly(IReadOnlyList<Control> controls) : IFrameSource
    {
        public string DisplayName => "UVC webcam grabber";

        public IReadOnlyList<Control> Controls => controls;

        public Task RunAsync(SourceContext context, CancellationToken cancellation) => Task.CompletedTask;
    }
}
