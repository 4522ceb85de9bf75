using MjpgStreamer.Native.Viewer;

namespace MjpgStreamer.Native.Tests.Viewer;

/// <summary>
/// output_viewer.so's start-up checks, without a window (the window itself is tested end to end under Xvfb in
/// MjpgStreamer.Tests/Outputs/ViewerOutputTests).
/// </summary>
public sealed class SdlViewerWindowTests
{
    [Fact]
    public void A_missing_SDL_library_names_the_Debian_package()
    {
        Assert.Equal(
            "libSDL2-missing-for-a-test.so.0 not found: install the Debian package libsdl2-2.0-0",
            SdlViewerWindow.MissingLibrary("libSDL2-missing-for-a-test.so.0"));
    }

    [Fact]
    public void The_installed_SDL_library_is_found()
    {
        // ./test.sh installs libsdl2-2.0-0.
        Assert.Null(SdlViewerWindow.MissingLibrary());
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("", "", false)]
    [InlineData(":0", null, true)]
    [InlineData(null, "wayland-0", true)]
    [InlineData(":1", "wayland-1", true)]
    public void A_display_is_DISPLAY_or_WAYLAND_DISPLAY(string? display, string? wayland, bool found)
    {
        var reason = SdlViewerWindow.MissingDisplay(name => name switch
        {
            "DISPLAY" => display,
            "WAYLAND_DISPLAY" => wayland,
            _ => null,
        });
        if (found)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.Equal("no display: neither DISPLAY nor WAYLAND_DISPLAY is set (the viewer needs a desktop session)", reason);
        }
    }
}
