using System.Runtime.InteropServices;

namespace MjpgStreamer.Native.V4l2;

/// <summary>
/// The parts of linux/videodev2.h (and the libc constants around it) that the device code uses: constants, and the
/// structs whose layout is the same on every ABI we ship (no pointer, long or time_t inside). The ABI-dependent
/// structs (v4l2_buffer, v4l2_format, v4l2_ext_controls, v4l2_event) are described by layout objects instead, see
/// <see cref="V4l2Abi"/>. tests/native/v4l2-layout pins every value here against the C headers.
/// </summary>
internal static class Videodev2
{
    public const uint BufTypeVideoCapture = 1;
    public const uint MemoryMmap = 1;

    public const uint CapVideoCapture = 0x00000001;
    public const uint CapStreaming = 0x04000000;
    public const uint CapDeviceCaps = 0x80000000;
    public const uint CapTimePerFrame = 0x1000;

    public const uint FmtFlagCompressed = 0x0001;
    public const uint FmtFlagEmulated = 0x0002;

    public const uint FrmSizeTypeDiscrete = 1;
    public const uint FrmIvalTypeDiscrete = 1;

    public const uint BufFlagError = 0x00000040;

    public const uint CtrlFlagDisabled = 0x0001;
    public const uint CtrlFlagNextCtrl = 0x80000000;
    public const uint CtrlFlagReadOnly = 0x0004;
    public const uint CtrlFlagWriteOnly = 0x0040;
    public const int CtrlTypeInteger = 1;
    public const int CtrlTypeBoolean = 2;
    public const int CtrlTypeMenu = 3;
    public const int CtrlTypeButton = 4;
    public const int CtrlTypeCtrlClass = 6;
    public const int CtrlTypeBitmask = 8;
    public const int CtrlTypeIntegerMenu = 9;
    public const uint CtrlClassUser = 0x00980000;
    public const uint CtrlClassMask = 0x0FFF0000;
    public const uint CidBase = CtrlClassUser | 0x900;
    public const uint CidLastP1 = CidBase + 44;
    public const uint CidPrivateBase = 0x08000000;

    public const uint EventSourceChange = 5;

    /// <summary>struct v4l2_capability (104 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Capability
    {
        public fixed byte Driver[16];
        public fixed byte Card[32];
        public fixed byte BusInfo[32];
        public uint Version;
        public uint Capabilities;
        public uint DeviceCaps;
        public fixed uint Reserved[3];
    }

    /// <summary>struct v4l2_fmtdesc (64 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct FmtDesc
    {
        public uint Index;
        public uint Type;
        public uint Flags;
        public fixed byte Description[32];
        public uint PixelFormat;
        public uint MbusCode;
        public fixed uint Reserved[3];
    }

    /// <summary>struct v4l2_pix_format (48 bytes), the capture member of v4l2_format's union.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PixFormat
    {
        public uint Width;
        public uint Height;
        public uint PixelFormat;
        public uint Field;
        public uint BytesPerLine;
        public uint SizeImage;
        public uint Colorspace;
        public uint Priv;
        public uint Flags;
        public uint YcbcrEnc;
        public uint Quantization;
        public uint XferFunc;
    }

    /// <summary>struct v4l2_requestbuffers (20 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct RequestBuffers
    {
        public uint Count;
        public uint Type;
        public uint Memory;
        public uint Capabilities;
        public byte Flags;
        public fixed byte Reserved[3];
    }

    /// <summary>struct v4l2_control (8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Control
    {
        public uint Id;
        public int Value;
    }

    /// <summary>struct v4l2_queryctrl (68 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct QueryCtrl
    {
        public uint Id;
        public int Type;
        public fixed byte Name[32];
        public int Minimum;
        public int Maximum;
        public int Step;
        public int DefaultValue;
        public uint Flags;
        public fixed uint Reserved[2];
    }

    /// <summary>
    /// struct v4l2_querymenu (44 bytes, packed in C). The union at 8 is either the item's name or, for integer menus,
    /// an s64 value; with only 4-byte fields here the layout needs no packing, and the value is read from Name's bytes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct QueryMenu
    {
        public uint Id;
        public uint Index;
        public fixed byte Name[32];
        public uint Reserved;
    }

    /// <summary>struct v4l2_streamparm (204 bytes) with the capture member of its union spelled out.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct StreamParm
    {
        public uint Type;
        public uint Capability;
        public uint CaptureMode;
        public uint TimePerFrameNumerator;
        public uint TimePerFrameDenominator;
        public uint ExtendedMode;
        public uint ReadBuffers;
        public fixed uint Reserved[4];

        // The rest of the 200-byte raw_data union member.
        public fixed byte Padding[160];
    }

    /// <summary>struct v4l2_frmsizeenum (44 bytes); discrete and stepwise share the union at 12.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 44)]
    public struct FrmSizeEnum
    {
        [FieldOffset(0)] public uint Index;
        [FieldOffset(4)] public uint PixelFormat;
        [FieldOffset(8)] public uint Type;
        [FieldOffset(12)] public uint Width;
        [FieldOffset(16)] public uint Height;
        [FieldOffset(12)] public uint MinWidth;
        [FieldOffset(16)] public uint MaxWidth;
        [FieldOffset(20)] public uint StepWidth;
        [FieldOffset(24)] public uint MinHeight;
        [FieldOffset(28)] public uint MaxHeight;
        [FieldOffset(32)] public uint StepHeight;
    }

    /// <summary>struct v4l2_frmivalenum (52 bytes); discrete and stepwise share the union at 20.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 52)]
    public struct FrmIvalEnum
    {
        [FieldOffset(0)] public uint Index;
        [FieldOffset(4)] public uint PixelFormat;
        [FieldOffset(8)] public uint Width;
        [FieldOffset(12)] public uint Height;
        [FieldOffset(16)] public uint Type;
        [FieldOffset(20)] public uint Numerator;
        [FieldOffset(24)] public uint Denominator;
        [FieldOffset(20)] public uint MinNumerator;
        [FieldOffset(24)] public uint MinDenominator;
        [FieldOffset(28)] public uint MaxNumerator;
        [FieldOffset(32)] public uint MaxDenominator;
        [FieldOffset(36)] public uint StepNumerator;
        [FieldOffset(40)] public uint StepDenominator;
    }

    /// <summary>
    /// struct v4l2_ext_control (20 bytes, packed in C, so the same everywhere although its union holds pointers):
    /// only the s32 value member is used; ValueHigh is the rest of the 8-byte union.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ExtControl
    {
        public uint Id;
        public uint Size;
        public uint Reserved2;
        public int Value;
        public int ValueHigh;
    }

    /// <summary>struct v4l2_jpegcompression (140 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct JpegCompression
    {
        public int Quality;
        public int AppN;
        public int AppLen;
        public fixed byte AppData[60];
        public int ComLen;
        public fixed byte ComData[60];
        public uint JpegMarkers;
    }

    /// <summary>struct v4l2_dv_timings (132 bytes, packed in C): only passed from QUERY_DV_TIMINGS to S_DV_TIMINGS.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct DvTimings
    {
        public uint Type;
        public fixed byte Bt[128];
    }

    /// <summary>struct v4l2_event_subscription (32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct EventSubscription
    {
        public uint Type;
        public uint Id;
        public uint Flags;
        public fixed uint Reserved[5];
    }
}
