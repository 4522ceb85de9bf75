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

bench_name=pause-bench
. "$(dirname "$0")/server-bench.sh"

run 1200 pause --exe "$exe" --cycles 1000
run 3600 pause --exe "$exe" --cycles 10000 --settle-ms 20
exit $failed
