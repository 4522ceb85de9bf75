#!/usr/bin/env bash
# Installs what the tests need, publishes the NativeAOT executable the integration tests start, and runs every test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
. "$here/scripts/deps.sh"
. "$here/scripts/publish.sh"
ensure_packages libturbojpeg0 libturbojpeg0-dev ffmpeg build-essential curl prometheus openssl systemd iproute2

# The fake camera the V4L2 tests stream from (no camera or kernel module needed).
echo "test.sh: building the fake camera library ..." >&2
make -s -C tests/native/fakecam

publish_release test.sh
export MJPG_STREAMER_EXE="$here/out/release/mjpg_streamer"

status=0
dotnet test MjpgStreamer.slnx -c Release --nologo --blame-hang-timeout 180s 2>&1 | tee out/test.log || status=$?
# One closing line for every runner that reads it: the totals over all test assemblies.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' out/test.log
exit $status
