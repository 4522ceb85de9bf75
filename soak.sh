#!/usr/bin/env bash
# Soak test: the real server on 127.0.0.1 under malformed requests, a fuzzer, slow and idle clients, 500 stream
# clients with snapshots, camera unplugs, input_exec restarts, pause toggles, SIGTERM under load and an auth matrix.
# Prints one figure table (markdown) and exits non-zero when any scenario failed. See docs/reliability.md.
#
# usage: ./soak.sh [--duration SECONDS] [--seed N] [--only abcdefgh]     (default 3600 s; at least 60)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
. "$here/scripts/deps.sh"
. "$here/scripts/publish.sh"
ensure_packages libturbojpeg0 libturbojpeg0-dev build-essential

duration=3600
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration="${2:?--duration needs SECONDS}"; shift 2 ;;
        --seed|--only) args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$duration" in
    ''|*[!0-9]*) echo "soak.sh: --duration needs a whole number of seconds" >&2; exit 2 ;;
esac

echo "soak.sh: building the fake camera library ..." >&2
make -s -C tests/native/fakecam
publish_release soak.sh
echo "soak.sh: building the soak driver ..." >&2
dotnet build bench/MjpgStreamer.Soak -c Release -o out/soak --nologo -v quiet >out/soak-build.log 2>&1 || {
    cat out/soak-build.log >&2
    exit 1
}

# The descriptors: 500 idle sockets and 500 stream clients on both ends of loopback.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# A backstop against a hang: every scenario is bounded by its share of the duration already.
status=0
timeout --kill-after=30 "$((duration + duration / 4 + 300))" \
    out/soak/MjpgStreamer.Soak --exe "$here/out/release/mjpg_streamer" \
        --fakecam "$here/tests/native/fakecam/libfakecam.so" --duration "$duration" "${args[@]}" \
    | tee out/soak.md || status=$?
exit $status
