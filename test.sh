#!/usr/bin/env bash
# Installs what the tests need, publishes the NativeAOT executable the integration tests start, and runs every test.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
. "$here/scripts/deps.sh"
. "$here/scripts/publish.sh"
ensure_packages libturbojpeg0 libturbojpeg0-dev ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-good libjpeg-turbo-progs build-essential curl prometheus openssl systemd iproute2 ustreamer chromium chromium-driver haproxy libsdl2-2.0-0 xvfb x11-apps x11-utils

# The fake camera the V4L2 tests stream from (no camera or kernel module needed).
echo "test.sh: building the fake camera library ..." >&2
make -s -C tests/native/fakecam

# The release tarballs (NativeAOT x64 and arm64, the portable build), which the release tests unpack and run; the
# x64 one is also out/release/mjpg_streamer, the executable every integration test starts.
./build-release.sh out/artifacts
export MJPG_STREAMER_EXE="$here/out/release/mjpg_streamer"
export MJPG_STREAMER_ARTIFACTS="$here/out/artifacts"
# The arm64 executable runs under qemu-aarch64 against the fake camera built for arm64 (multiarch libraries).
if try_packages qemu-user libc6:arm64 libturbojpeg0:arm64 && make -s -C tests/native/fakecam arm64; then
    export MJPG_STREAMER_FAKECAM_ARM64="$here/tests/native/fakecam/arm64/libfakecam.so"
    unset MJPG_STREAMER_QEMU_SKIP
else
    export MJPG_STREAMER_QEMU_SKIP="qemu-user, libc6:arm64 and libturbojpeg0:arm64 are not installed and cannot be installed here (run ./test.sh as root): the arm64 executable was not run"
    echo "test.sh: $MJPG_STREAMER_QEMU_SKIP" >&2
fi

status=0
dotnet test MjpgStreamer.slnx -c Release --nologo --blame-hang-timeout 180s 2>&1 | tee out/test.log || status=$?
# One closing line for every runner that reads it: the totals over all test assemblies.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' out/test.log
exit $status
