#!/bin/sh
# mjpg_streamer for 32-bit ARM (and any machine with the .NET runtime): runs the framework-dependent build,
# app/mjpg_streamer.dll, with the ASP.NET Core 10 runtime installed on this machine. Arguments and exit code
# are mjpg_streamer's own. See README.md in the release tarball for installing the runtime.

# install.sh sets this to the folder it installed the application into; empty: app/ beside this script.
app_dir=""
if [ -z "$app_dir" ]; then
    self="$(readlink -f "$0")"
    app_dir="$(dirname "$self")/app"
fi
if [ ! -f "$app_dir/mjpg_streamer.dll" ]; then
    echo "mjpg_streamer: $app_dir/mjpg_streamer.dll is missing (reinstall the release)" >&2
    exit 1
fi

# The runtime: DOTNET_ROOT, the places the README's install commands use, then PATH.
dotnet=""
for root in "${DOTNET_ROOT:-}" /opt/dotnet /usr/lib/dotnet /usr/share/dotnet /usr/local/share/dotnet; do
    if [ -n "$root" ] && [ -x "$root/dotnet" ]; then
        dotnet="$root/dotnet"
        break
    fi
done
if [ -z "$dotnet" ]; then
    dotnet="$(command -v dotnet 2>/dev/null || true)"
fi
if [ -z "$dotnet" ]; then
    echo "mjpg_streamer: the .NET 10 runtime (ASP.NET Core) is not installed; install it with:" >&2
    echo "  curl -sSL https://dot.net/v1/dotnet-install.sh | sudo bash -s -- --channel 10.0 --runtime aspnetcore --install-dir /opt/dotnet" >&2
    exit 1
fi
# No "first run" banner or telemetry: only the host runs here, never the SDK.
DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 exec "$dotnet" "$app_dir/mjpg_streamer.dll" "$@"
