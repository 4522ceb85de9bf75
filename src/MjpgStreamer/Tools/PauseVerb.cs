namespace MjpgStreamer.Tools;

/// <summary>Which way <see cref="PauseCommand"/> goes.</summary>
internal enum PauseVerb
{
    /// <summary>Create the lock file, wait until every input is released.</summary>
    Pause,

    /// <summary>Remove the lock file, wait until every input streams again.</summary>
    Resume,
}
