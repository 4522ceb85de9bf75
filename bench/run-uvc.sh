#!/usr/bin/env bash
# Camera-path benchmark against the fake V4L2 camera (docs/testing.md): the raw-frame JPEG encoder, then
# input_uvc.so capturing MJPEG and YUYV. Builds the fake and the bench, runs everything in under 3 minutes.
#
# usage: bench/run-uvc.sh
# Needs: gcc, make, libturbojpeg0-dev, the .NET SDK. No camera, no network. The fake's device files live in a
# temporary folder of this run (never /tmp/fakecam), removed on exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t mjpg-uvc-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

make -s -C "$repo/tests/native/fakecam" >/dev/null
dotnet build "$repo/bench/MjpgStreamer.CaptureBench/MjpgStreamer.CaptureBench.csproj" -c Release -o "$work/bench" \
    --nologo -v quiet >/dev/null

export MJPG_STREAMER_V4L2_LIB="$repo/tests/native/fakecam/libfakecam.so"
export FAKECAM_DEVICES="$work/dev/video0"
bench=("$work/bench/MjpgStreamer.CaptureBench")
device="$FAKECAM_DEVICES"

failed=0
run() {
    # Each run is bounded by its own --seconds; timeout is a backstop against a hang.
    timeout --kill-after=5 60 "${bench[@]}" "$@" 2>"$work/stderr" || {
        echo "run failed (exit $?): $*" >&2
        cat "$work/stderr" >&2
        failed=1
    }
    echo
}

run encode --size 1280x720 --quality 80 --seconds 10 --workers 1,2
run capture --device "$device" --size 1280x720 --fps 30 --seconds 20 --clients 1
run capture --device "$device" --size 640x480 --fps 30 --seconds 20 --clients 1 --yuyv
run capture --device "$device" --size 1280x720 --fps 10 --seconds 20 --clients 1 --yuyv
exit $failed
