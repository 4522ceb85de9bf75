#!/usr/bin/env bash
# input_http.so's cost: an upstream server (ours, the test pattern) and a relay (ours, input_http.so reading the
# upstream's ?action=stream), both on 127.0.0.1 and free ports. Two windows:
#   1. IDLE seconds with nobody watching the relay: relay CPU seconds per relayed frame (the input path alone:
#      socket, parser, hub);
#   2. DURATION seconds with one client on the upstream and one on the relay, reading side by side in one
#      measuring process: the relay's added latency per frame (arrival of the same JPEG bytes at the relay's client
#      minus at the upstream's client, p50/p99/max), and relay CPU per frame with that client.
# Relay CPU is the sum of its threads' run time in /proc/PID/task/*/schedstat (nanoseconds; /proc/PID/stat counts in
# 10 ms ticks, too coarse for a few seconds of a light process), frames from the relay's /state (frames published).
# Bounded: about IDLE + DURATION + 5 s in all.
#
# usage: bench/run-relay.sh [PATH/TO/mjpg_streamer]   (default: out/release/mjpg_streamer, published when missing)
#   env: SIZE=640x480  FPS=30  QUALITY=80  IDLE=10  DURATION=20
# Needs: python3, curl.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
size=${SIZE:-640x480}
fps=${FPS:-30}
quality=${QUALITY:-80}
idle=${IDLE:-10}
duration=${DURATION:-20}
work=$(mktemp -d -t mjpg-relay.XXXXXX)
upstream_pid=
relay_pid=

stop() {
    local pid=$1
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        timeout 10 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}
trap 'stop "$relay_pid"; stop "$upstream_pid"; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

if [[ $# -ge 1 ]]; then
    exe=$(realpath "$1")
else
    (cd "$repo" && . scripts/publish.sh && publish_release run-relay.sh)
    exe="$repo/out/release/mjpg_streamer"
fi
[[ -x "$exe" ]] || { echo "error: $exe is not an executable" >&2; exit 2; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits until the input of the server at PORT streams (at most 20 s) while PID lives.
wait_streaming() {
    local pid=$1 port=$2 log=$3
    for _ in $(seq 200); do
        curl -sf --max-time 1 "http://127.0.0.1:$port/state" 2>/dev/null | grep -q '"state": *"streaming"' && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: the server on port $port does not stream:" >&2
    cat "$log" >&2
    exit 1
}

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ sum += $1 } END { printf "%d\n", sum }'; }
frames() { curl -sf --max-time 2 "http://127.0.0.1:$1/state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["inputs"][0]["frames"])'; }
gen0() { curl -sf --max-time 2 "http://127.0.0.1:$1/state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["gc"]["gen0"])'; }

upstream_port=$(free_port)
"$exe" --pause-file none -i "input_testpattern.so -r $size -f $fps -q $quality" \
    -o "output_http.so -p $upstream_port -l 127.0.0.1" >"$work/upstream.out" 2>"$work/upstream.log" &
upstream_pid=$!
relay_port=$(free_port)
"$exe" --pause-file none -i "input_http.so -H 127.0.0.1 -p $upstream_port" \
    -o "output_http.so -p $relay_port -l 127.0.0.1" >"$work/relay.out" 2>"$work/relay.log" &
relay_pid=$!
wait_streaming "$upstream_pid" "$upstream_port" "$work/upstream.log"
wait_streaming "$relay_pid" "$relay_port" "$work/relay.log"

# 1. Nobody watches the relay (the relay itself is the upstream's only client).
sleep 1
g0=$(gen0 "$relay_port")
t0=$(cpu_ns "$relay_pid"); f0=$(frames "$relay_port")
sleep "$idle"
t1=$(cpu_ns "$relay_pid"); f1=$(frames "$relay_port")

# 2. One client on each server, the same frames compared by their bytes.
python3 - "$upstream_port" "$relay_port" "$duration" "$relay_pid" >"$work/latency.txt" <<'EOF'
import glob, socket, sys, threading, time

upstream_port, relay_port, duration, relay_pid = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
arrivals = {"upstream": {}, "relay": {}}
mean_size = {}

def read_stream(name, port, stop_at):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /?action=stream HTTP/1.0\r\n\r\n")
    f = s.makefile("rb", buffering=1 << 16)
    while f.readline() not in (b"\r\n", b""):
        pass
    seen = arrivals[name]
    sizes = []
    while time.monotonic() < stop_at:
        length = None
        while True:
            line = f.readline()
            if not line:
                return
            if line == b"\r\n" and length is not None:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        jpeg = f.read(length)
        seen.setdefault(hash(jpeg), time.monotonic_ns())
        sizes.append(len(jpeg))
    mean_size[name] = sum(sizes) / max(1, len(sizes))
    s.close()

def cpu_ns():
    total = 0
    for path in glob.glob(f"/proc/{relay_pid}/task/*/schedstat"):
        try:
            with open(path) as stat:
                total += int(stat.read().split()[0])
        except OSError:
            pass
    return total

stop_at = time.monotonic() + duration
threads = [threading.Thread(target=read_stream, args=(n, p, stop_at)) for n, p in (("upstream", upstream_port), ("relay", relay_port))]
t0 = cpu_ns()
for t in threads:
    t.start()
for t in threads:
    t.join()
t1 = cpu_ns()
common = [arrivals["relay"][k] - arrivals["upstream"][k] for k in arrivals["relay"] if k in arrivals["upstream"]]
common.sort()
def pct(p):
    return common[min(len(common) - 1, int(round(p / 100 * (len(common) - 1))))] / 1e6
print(f"frames at the upstream's client {len(arrivals['upstream'])}, at the relay's {len(arrivals['relay'])}, matched {len(common)} (mean JPEG {mean_size.get('relay', 0) / 1024:.1f} KiB)")
print(f"added latency (relay client minus upstream client, same JPEG bytes): p50 {pct(50):.2f} ms  p99 {pct(99):.2f} ms  max {common[-1] / 1e6:.2f} ms")
print(f"relay CPU with one client: {(t1 - t0) / 1e9:.3f} s for {len(arrivals['relay'])} frames sent = {(t1 - t0) / 1e6 / max(1, len(arrivals['relay'])):.3f} ms per frame")
EOF

idle_cpu=$(python3 -c "print(f'{($t1 - $t0) / 1e9:.3f}')")
idle_frames=$((f1 - f0))
echo "input_http relay of input_testpattern.so -r $size -f $fps -q $quality, both on 127.0.0.1 ($(nproc) cores)"
echo "relay with nobody watching: ${idle_cpu} CPU s in about ${idle} s for $idle_frames frames = $(python3 -c "print(f'{$idle_cpu / max(1, $idle_frames) * 1e3:.3f}')") ms per frame"
cat "$work/latency.txt"
echo "relay at the end: RSS $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$relay_pid/status"), gen0 collections during both windows $(( $(gen0 "$relay_port") - g0 ))"
