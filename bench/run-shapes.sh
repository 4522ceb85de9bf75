#!/usr/bin/env bash
# Issue 14's scaled streams on the whole server: 1920x1080 MJPEG at 30 fps in (camera-like frames: ffmpeg's testsrc
# with sensor noise, 4:2:2, about 400 KB each, served by input_file.so from a tmpfs folder), one curl client per
# scenario for DURATION seconds. For each scenario: the server's CPU % of one core (utime+stime from /proc over the
# run), the scaled stream's cost per frame as /state reports it (decode + resize + encode, mean), and the bytes per
# second the client received. Scenarios: a full-size client (the baseline: no decoding), width=480 (1/4, one worker),
# width=480&fps=5, width=640 (1/2 then resized), width=480 and width=640 at once (two shapes: two workers).
#
# usage: bench/run-shapes.sh PATH/TO/mjpg_streamer      env: DURATION=20
# Needs: ffmpeg, curl, python3. Runs on loopback only; the server is stopped on exit.
set -euo pipefail

server=${1:?usage: bench/run-shapes.sh PATH/TO/mjpg_streamer}
duration=${DURATION:-20}
[[ -x "$server" ]] || { echo "error: $server is not an executable" >&2; exit 2; }
work=$(mktemp -d -p /dev/shm mjpg-shapes.XXXXXX 2>/dev/null || mktemp -d -t mjpg-shapes.XXXXXX)
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

# 30 distinct frames (a second of a camera): noise makes them as large and as costly to decode as a camera's.
mkdir -p "$work/frames"
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=1920x1080:rate=30 -vf noise=alls=12:allf=t -frames:v 30 \
    -pix_fmt yuvj422p -q:v 4 "$work/frames/frame_%03d.jpg"
frame_kib=$(du -k "$work/frames" | awk '{print $1}')

"$server" --pause-file none -i "input_file.so -f $work/frames -d 0.0333 -e" -o "output_http.so -p 0 -l 127.0.0.1" \
    >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -nE 's#.*listening on http://[^ ]+:([0-9]+)/.*#\1#p' "$work/server.log" | head -n 1)
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "error: the server exited at start:" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$port" ]] || { echo "error: no port in the server's log" >&2; exit 1; }
sleep 2

ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)

echo "source: 30 frames 1920x1080 4:2:2 q:v 4, $((frame_kib / 30)) KiB each, 30 fps; ${duration} s per scenario; $(nproc) cores; load before: $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| scenario | server CPU % of one core | shape ms/frame (mean) | frames encoded/s | received KiB/s per client |"
echo "|---|---|---|---|---|"
scenario() {
    local name=$1
    shift
    local before after start end
    before=$(ticks)
    start=$(date +%s.%N)
    local pids=() i=0
    for target in "$@"; do
        curl -s -o /dev/null --max-time "$duration" -w '%{size_download}\n' "http://127.0.0.1:$port$target" >"$work/bytes.$i" &
        pids+=($!)
        i=$((i + 1))
    done
    # /state just before the clients end: the shapes' counters (a shape is gone once its last client leaves).
    sleep "$(echo "$duration - 1" | bc)"
    curl -s "http://127.0.0.1:$port/state" >"$work/state.json"
    wait "${pids[@]}" || true
    after=$(ticks)
    end=$(date +%s.%N)
    python3 - "$name" "$before" "$after" "$start" "$end" "$hz" "$work" "$i" <<'EOF'
import json, sys
name, before, after, start, end, hz, work, n = sys.argv[1:9]
seconds = float(end) - float(start)
cpu = (int(after) - int(before)) / int(hz) / seconds * 100
shapes = json.load(open(f"{work}/state.json"))["inputs"][0]["shapes"]
ms = ", ".join(f"{s['shape']}: {s['mean_ms']:.2f}" for s in shapes) or "-"
fps = ", ".join(f"{s['frames_encoded'] / (seconds - 1):.1f}" for s in shapes) or "-"
rates = [int(open(f"{work}/bytes.{i}").read().strip() or 0) / seconds / 1024 for i in range(int(n))]
print(f"| {name} | {cpu:.1f} | {ms} | {fps} | {', '.join(f'{r:.0f}' for r in rates)} |")
EOF
    sleep 2
}

scenario "full size (1920x1080, no shape)" "/?action=stream"
scenario "width=480 (1/4)" "/?action=stream&width=480"
scenario "width=480&fps=5" "/?action=stream&width=480&fps=5"
scenario "width=640 (1/2, resized)" "/?action=stream&width=640"
scenario "width=480 + width=640 (two workers)" "/?action=stream&width=480" "/?action=stream&width=640"
