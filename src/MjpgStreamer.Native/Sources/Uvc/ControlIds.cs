namespace MjpgStreamer.Native.Sources.Uvc;

/// <summary>V4L2 control ids (linux/v4l2-controls.h) that the command-line camera settings write.</summary>
internal static class ControlIds
{
    public const uint UserBase = 0x00980900;
    public const uint CameraBase = 0x009A0900;

    public const uint Brightness = UserBase + 0;
    public const uint Contrast = UserBase + 1;
    public const uint Saturation = UserBase + 2;
    public const uint Hue = UserBase + 3;
    public const uint AutoWhiteBalance = UserBase + 12;
    public const uint AutoGain = UserBase + 18;
    public const uint Gain = UserBase + 19;
    public const uint HorizontalFlip = UserBase + 20;
    public const uint VerticalFlip = UserBase + 21;
    public const uint PowerLineFrequency = UserBase + 24;
    public const uint HueAuto = UserBase + 25;
    public const uint WhiteBalanceTemperature = UserBase + 26;
    public const uint Sharpness = UserBase + 27;
    public const uint BacklightCompensation = UserBase + 28;
    public const uint ChromaAgc = UserBase + 29;
    public const uint AutoBrightness = UserBase + 32;
    public const uint Rotate = UserBase + 34;
    public const uint ChromaGain = UserBase + 36;

    public const uint ExposureAuto = CameraBase + 1;
    public const uint ExposureAbsolute = CameraBase + 2;

    // Menu items of ExposureAuto.
    public const int ExposureModeAuto = 0;
    public const int ExposureModeManual = 1;
    public const int ExposureModeShutterPriority = 2;
    public const int ExposureModeAperturePriority = 3;
}
