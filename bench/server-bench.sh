# Sourced by bench/run-pause.sh and bench/run-still.sh: builds the fake camera and the bench, publishes the
# server unless an executable is given as $1, and defines run LIMIT ARGS... (the bench under a timeout backstop).
# The caller sets bench_name first; the fake's device (and any lock file) live in this run's temp folder.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d -t "mjpg-$bench_name.XXXXXX")
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
export TMPDIR="$work"   # the bench makes its own mktemp-style folder for the device (and lock file) in here
unset FAKECAM_DEVICES

failed=0
run() {
    # $1: backstop in seconds against a hang (each step inside the bench is bounded already). timeout sends
    # SIGTERM first, which the bench turns into stopping the server and removing its folder.
    local limit=$1
    shift
    timeout --kill-after=15 "$limit" "$work/bench/MjpgStreamer.CaptureBench" "$@" || {
        echo "run failed (exit $?): $*" >&2
        failed=1
    }
    echo
}
