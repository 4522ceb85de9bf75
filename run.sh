#!/usr/bin/env bash
# Builds mjpg_streamer (Release, NativeAOT) into out/release and runs it with the given arguments.
# Without arguments it streams the first camera, else the built-in test pattern, on http://127.0.0.1:8080/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
. "$here/scripts/deps.sh"
ensure_packages libturbojpeg0 gcc

out="$here/out/release"
if ! dotnet publish src/MjpgStreamer -c Release -o "$out" --nologo -v quiet >"$here/out/publish.log" 2>&1; then
    cat "$here/out/publish.log" >&2
    echo "run.sh: the build failed (log above)" >&2
    exit 1
fi

echo "run.sh: mjpg_streamer will listen on $(scripts/listen-url.sh "$@")" >&2
exec "$out/mjpg_streamer" "$@"
