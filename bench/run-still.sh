#!/usr/bin/env bash
# Still benchmark: the server executable on the fake V4L2 camera (docs/testing.md) streaming 640x480 to one
# client while ?action=still is asked for 50 times (1920x1080): how long a still takes and what the stream's
# client misses meanwhile. About 40 seconds.
#
# usage: bench/run-still.sh [PATH/TO/mjpg_streamer]
#   Without an executable it publishes src/MjpgStreamer (Native AOT) into this run's temp folder first.
# Needs: gcc, make, libturbojpeg0-dev, the .NET SDK. No camera, no network. The fake's device lives in a
# temporary folder of the run (never /tmp/fakecam), removed on exit; the server is stopped with SIGTERM.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t mjpg-still-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

make -s -C "$repo/tests/native/fakecam" >/dev/null
dotnet build "$repo/bench/MjpgStreamer.CaptureBench/MjpgStreamer.CaptureBench.csproj" -c Release -o "$work/bench" \
    --nologo -v quiet >/dev/null

if [[ $# -ge 1 ]]; then
    exe=$(realpath "$1")
else
    dotnet publish "$repo/src/MjpgStreamer" -c Release -o "$work/server" --nologo -v quiet >/dev/null
    exe="$work/server/mjpg_streamer"
fi
[[ -x "$exe" ]] || { echo "error: $exe is not an executable" >&2; exit 2; }

export MJPG_STREAMER_V4L2_LIB="$repo/tests/native/fakecam/libfakecam.so"
export TMPDIR="$work"   # the bench makes its own mktemp-style folder for the device in here
unset FAKECAM_DEVICES

failed=0
run() {
    # $1: backstop in seconds against a hang (each step inside the bench is bounded to 5 s already). timeout
    # sends SIGTERM first, which the bench turns into stopping the server and removing its folder.
    local limit=$1
    shift
    timeout --kill-after=15 "$limit" "$work/bench/MjpgStreamer.CaptureBench" "$@" || {
        echo "run failed (exit $?): $*" >&2
        failed=1
    }
    echo
}

run 300 still --exe "$exe" --stills 50
exit $failed
