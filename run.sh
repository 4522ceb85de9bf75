#!/usr/bin/env bash
# Builds mjpg_streamer (Release, NativeAOT) into out/release, unless it is up to date, and runs it with the given
# arguments. Without arguments it streams the first camera, else the built-in test pattern, on http://127.0.0.1:8080/.
# Works from any working directory; relative paths in the arguments are taken from the caller's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/scripts/deps.sh"
. "$here/scripts/publish.sh"
ensure_packages libturbojpeg0 gcc

# The build runs in the repository; the server in the caller's directory (-w www, -f folder stay relative to it).
# (dotnet reads global.json from its working directory.)
(
    cd "$here"
    publish_release run.sh
)

url="$("$here/scripts/listen-url.sh" "$@")"
if [ -n "$url" ]; then
    echo "run.sh: mjpg_streamer will listen on $url" >&2
fi
exec "$here/out/release/mjpg_streamer" "$@"
