// The executable is named mjpg_streamer, as the program it replaces: scripts and ps -C find it by that name.
[assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "The executable keeps the original's name, mjpg_streamer.", Scope = "module")]
