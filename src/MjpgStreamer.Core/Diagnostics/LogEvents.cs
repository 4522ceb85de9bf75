namespace MjpgStreamer.Core.Diagnostics;

/// <summary>
/// Every log event id of the program, in one place: Kestrel-style stable ids that scripts and log filters can
/// rely on. Ranges: 1-99 the process, 100-199 inputs and streaming, 200-299 HTTP, 300-399 USB cameras (V4L2),
/// 400-499 folders, 600-699 the pause, 1500-1599 programs we run and the Pi camera (1540-1549: the pause's lock file watch), 1780-1799 output_zmqserver, 1800-1819 scaled streams (shapes), 1950-1979 output_viewer. A test checks that no two are equal.
/// </summary>
public static class LogEvents
{
    public const int AppStarting = 1;

    public const int AppStopping = 2;

    public const int AppStartFailed = 3;

    public const int AppDescriptorLimit = 5;

    public const int AppDescriptorLimitNotRaised = 6;

    public const int SystemdReady = 20;

    public const int SystemdWatchdogWithheld = 21;

    public const int SystemdWatchdogResumed = 22;

    public const int SystemdSendFailed = 23;

    public const int SystemdUnsupportedSocket = 24;

    public const int SourceContextStateChanged = 100;

    public const int CameraStreamSourceFailed = 101;

    public const int TestPatternSourceStarted = 110;

    public const int StreamEndpointClientConnected = 200;

    public const int StreamEndpointClientDisconnected = 201;

    public const int CommandEndpointIllegalDestination = 202;

    public const int StillEndpointStillRefused = 203;

    public const int ClientRegistryDropped = 210;

    public const int HttpOutputListening = 220;

    public const int HttpOutputSettings = 221;

    public const int RequestGuardHostRefused = 230;

    public const int RequestGuardCrossSiteRefused = 231;

    public const int HttpOutputHosts = 232;

    public const int StillEndpointStillBusy = 240;

    public const int StreamEndpointClientRefused = 250;

    public const int HttpOutputConnectionsClamped = 251;

    public const int StreamEndpointFirstClientRefused = 254;

    public const int HttpOutputCertificate = 270;

    public const int HttpOutputCertificateNotValid = 271;

    public const int UvcOptionWarning = 300;

    public const int UvcSettingFailed = 301;

    public const int UvcResolutionCoerced = 302;

    public const int UvcFpsCoerced = 303;

    public const int UvcStreaming = 304;

    public const int UvcSourceChanged = 305;

    public const int UvcCommandRefused = 306;

    public const int UvcControlSet = 307;

    public const int UvcStillTaken = 310;

    public const int UvcStillFailed = 311;

    public const int FolderWatched = 400;

    public const int FolderDelay = 401;

    public const int FolderRemove = 402;

    public const int FolderNameFilter = 403;

    public const int FolderMode = 404;

    public const int FolderSkipped = 405;

    public const int FolderVanished = 406;

    public const int FolderDeleteFailed = 407;

    public const int FolderOverflow = 408;

    public const int FolderSuperseded = 409;

    public const int PauseCoordinatorWatching = 600;

    public const int PauseCoordinatorPauseChanged = 601;

    public const int PauseCoordinatorLongPause = 602;

    public const int ChildProcessRunnerStarted = 1500;

    public const int ChildProcessRunnerStartFailed = 1501;

    public const int ChildProcessRunnerExited = 1502;

    public const int ChildProcessChildSaid = 1503;

    public const int ChildProcessKilling = 1504;

    public const int ChildProcessStillRunning = 1505;

    public const int ChildProcessRunnerReadFailed = 1506;

    public const int ExecSourceUnexpectedSize = 1507;

    public const int ExecSourceRunFailed = 1508;

    public const int ChildProcessRunnerStopped = 1509;

    public const int ChildProcessRunnerFinished = 1510;

    public const int RaspicamUnsupported = 1520;

    public const int RaspicamCommand = 1521;

    public const int RaspicamNotFound = 1522;

    public const int RaspicamRunFailed = 1523;

    public const int RaspicamStillFailed = 1524;

    public const int UvcV4l2Layout = 1530;

    public const int PauseWatchInotifyUnavailable = 1540;

    public const int PauseWatchFolderUnwatched = 1541;

    public const int PauseWatchFolderWatched = 1542;

    public const int StartupMemoryReleased = 1555;

    public const int HttpSourceConnected = 1700;

    public const int HttpSourceLost = 1701;

    public const int HttpSourceRunFailed = 1702;

    public const int FileOutputStarted = 1720;

    public const int FileOutputWriteFailed = 1721;

    public const int FileOutputWriteRecovered = 1722;

    public const int FileOutputPruneFailed = 1723;

    public const int FileOutputLinkFailed = 1724;

    public const int FileOutputTaken = 1725;

    public const int FileOutputTakeRefused = 1726;

    public const int OutputCommandSkipped = 1730;

    public const int OutputCommandExited = 1731;

    public const int OutputCommandStartFailed = 1732;

    public const int UdpOutputListening = 1740;

    public const int UdpOutputRefused = 1741;

    public const int UdpOutputSaved = 1742;

    public const int UdpOutputFailed = 1743;
    public const int RtspListening = 1750;

    public const int RtspSettings = 1751;

    public const int RtspPlaying = 1752;

    public const int RtspClientGone = 1753;

    public const int RtspFramesSkipped = 1754;

    public const int RtspRecoding = 1755;

    public const int RtspSessionTimeout = 1756;

    public const int RtspConnectionFailed = 1757;

    public const int RtspUnauthorized = 1758;

    public const int RtspReencoding = 1760;

    public const int ZmqOutputPublishing = 1780;

    public const int ZmqOutputStdout = 1781;

    public const int ZmqOutputIgnoredOptions = 1782;

    public const int ZmqOutputListeners = 1783;

    public const int ZmqOutputStdoutFailed = 1784;

    public const int ZmqOutputFailed = 1785;

    public const int ShapeStarted = 1800;

    public const int ShapeStopped = 1801;

    public const int ShapeScaleFailed = 1802;

    public const int ShapeScaleFailedAgain = 1803;

    public const int ShapeWorkerFailed = 1804;

    public const int UvcStillIsStreamFrame = 1805;

    public const int ChildStreamLost = 1900;

    public const int ChildStreamRunFailed = 1901;

    public const int Ptp2ZoomSet = 1910;

    public const int Ptp2ZoomFailed = 1911;

    public const int Ptp2Command = 1912;

    public const int OpencvCommand = 1920;

    public const int OpencvNotApplied = 1921;

    public const int OpencvControlFailed = 1922;

    public const int ViewerOpened = 1950;

    public const int ViewerClosed = 1951;

    public const int ViewerDecodeFailed = 1952;

    public const int ViewerFailed = 1953;

    public const int ViewerDisplayLost = 1954;
}
