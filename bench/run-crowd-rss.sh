#!/usr/bin/env bash
# Memory after a crowd: RSS of one mjpg_streamer idle (5 s after start), with N stream clients, and AFTER seconds after they left.
# Prints one markdown row. The environment is passed to the server, so GC settings can be tried without a rebuild:
#   bench/run-crowd-rss.sh out/release/mjpg_streamer
#   DOTNET_GCConserveMemory=5 bench/run-crowd-rss.sh out/release/mjpg_streamer
#   env: CLIENTS=1000  DURATION=10  AFTER=30  LATE=120 (a last reading this long after they left; 0: none)
#        DELAY=0.1 (seconds between frames: 10 fps)
#        SMAPS=FILE (a copy of /proc/PID/smaps at the last reading, to see which mapping holds the memory)
# Needs: ffmpeg, the .NET SDK. Loopback only; the server is stopped on exit.
set -euo pipefail

server=${1:?usage: bench/run-crowd-rss.sh PATH/TO/mjpg_streamer}
clients=${CLIENTS:-1000}
duration=${DURATION:-10}
after=${AFTER:-30}
late=${LATE:-120}
delay=${DELAY:-0.1}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t mjpg-crowd.XXXXXX)
server_pid=

cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"; }

mkdir -p "$work/frames"
ffmpeg -loglevel error -f lavfi -i testsrc=size=640x480:rate=30 -frames:v 50 -q:v 5 "$work/frames/frame_%03d.jpg"
dotnet publish "$repo/bench/MjpgStreamer.LoadClient/MjpgStreamer.LoadClient.csproj" -c Release -o "$work/loadclient" \
    --nologo -v quiet >/dev/null

"$server" -i "input_file.so -f $work/frames -d $delay -e" -o "output_http.so -p 0 -l 127.0.0.1 -max_clients 0" \
    >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -nE 's#.*listening on http://[^ ]+:([0-9]+)/.*#\1#p' "$work/server.log" | head -n 1)
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { echo "error: the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

sleep 5 # the server lets go of what starting used 2 s after it started (StartupMemory)
idle=$(rss_mib)
"$work/loadclient/MjpgStreamer.LoadClient" --url "http://127.0.0.1:$port/" --clients "$clients" --duration "$duration" \
    --warmup 2 --pid "$server_pid" >"$work/load.txt" 2>&1 &
load_pid=$!
sleep $((duration / 2 + 2))
crowd=$(rss_mib)
wait "$load_pid" || { echo "error: the load client failed:" >&2; cat "$work/load.txt" >&2; exit 1; }
left=$(rss_mib)
sleep "$after"
later=$(rss_mib)
last=-
if ((late > after)); then
    sleep $((late - after))
    last=$(rss_mib)
fi
if [[ -n "${SMAPS:-}" ]]; then cp "/proc/$server_pid/smaps" "$SMAPS"; fi
gc_settings=$(env | grep -E '^DOTNET_GC' | tr '\n' ' ' || true)
echo "| ${gc_settings:-(build defaults)} | $idle | $crowd | $left | $later | $last |"
