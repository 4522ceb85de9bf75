#!/usr/bin/env bash
# Pause benchmark: the server executable on the fake V4L2 camera (docs/testing.md) with one stream client;
# its --pause-file lock created and removed in cycles, timing how fast the device is released and how fast
# live frames come back. 1000 cycles with 100 ms settle (about 4-5 minutes), then 10,000 with 20 ms (about
# 15 minutes; progress every 1000 cycles on stderr).
#
# usage: bench/run-pause.sh [PATH/TO/mjpg_streamer]
#   Without an executable it publishes src/MjpgStreamer (Native AOT) into this run's temp folder first.
# Needs: gcc, make, libturbojpeg0-dev, the .NET SDK. No camera, no network. The fake's device and the lock
# file live in a temporary folder of each run (never /tmp/fakecam, never /run), removed on exit; the server
# is stopped with SIGTERM by the bench, also when a run fails or is interrupted.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t mjpg-pause-bench.XXXXXX)
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
export TMPDIR="$work"   # the bench makes its own mktemp-style folder for the device and the lock file in here
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

run 1200 pause --exe "$exe" --cycles 1000
run 3600 pause --exe "$exe" --cycles 10000 --settle-ms 20
exit $failed
