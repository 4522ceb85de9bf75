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

bench_name=still-bench
. "$(dirname "$0")/server-bench.sh"

run 300 still --exe "$exe" --stills 50
exit $failed
