#!/usr/bin/env bash
# Fan-out benchmark: one mjpg_streamer serving a folder of 640x480 JPEGs at ~30 fps on 127.0.0.1,
# measured with the load client at 1, 10, 100 and 500 clients. Prints one markdown table row per run.
#
# usage: bench/run-fanout.sh PATH/TO/mjpg_streamer
#   env: CLIENTS="1 10 100 500"  DURATION=10  WARMUP=2  RAMP_MS=0  HTTP11=0 (1: the clients ask with HTTP/1.1)
#        PROTOCOLS="http" (or "http rtsp": the server also runs output_rtsp.so, and each client count is measured
#        over HTTP and then over RTSP with RTP over TCP interleaved, from the same frames, one row each)
#
# Assumptions about the server (the executable is written separately; check these still hold):
#   * it accepts mjpg-streamer's command line: -i "input_file.so -f DIR -d 0.033 -e" -o "output_http.so -p 0 -l 127.0.0.1";
#   * "-p 0" makes it listen on a free port, and it writes that port to stderr in a line matching the
#     extended regex   listening on http://[^ ]+:([0-9]+)/
#   * it serves GET /state (frames published, GC counts) and stops cleanly on SIGTERM.
# Needs: ffmpeg, python3, the .NET SDK. Runs everything on loopback; the server is stopped on exit.
set -euo pipefail

server=${1:?usage: bench/run-fanout.sh PATH/TO/mjpg_streamer}
clients_list=${CLIENTS:-"1 10 100 500"}
duration=${DURATION:-10}
warmup=${WARMUP:-2}
ramp_ms=${RAMP_MS:-0}
protocols=${PROTOCOLS:-http}
rtsp_output=()
[[ " $protocols " == *" rtsp "* ]] && rtsp_output=(-o "output_rtsp.so -p 0 -l 127.0.0.1")
http11=()
[[ "${HTTP11:-0}" == 1 ]] && http11=(--http11)
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t mjpg-fanout.XXXXXX)
server_pid=

stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "server did not stop within 5 s of SIGTERM; killing it" >&2
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x "$server" ]] || { echo "error: $server is not an executable" >&2; exit 2; }

# -max_clients 0: the series may go past the default cap of 500 stream clients (CLIENTS="1000").
# 50 distinct 640x480 4:2:0 frames (about 17-18 KB each at -q:v 5), as a camera sends; ffmpeg would pick 4:4:4 from
# testsrc, which RTP/JPEG cannot carry.
mkdir -p "$work/frames"
ffmpeg -loglevel error -f lavfi -i testsrc=size=640x480:rate=30 -frames:v 50 -q:v 5 -pix_fmt yuvj420p "$work/frames/frame_%03d.jpg"

# Build the load client once; each run then starts in a few tens of milliseconds.
dotnet publish "$repo/bench/MjpgStreamer.LoadClient/MjpgStreamer.LoadClient.csproj" -c Release -o "$work/loadclient" \
    --nologo -v quiet >/dev/null

"$server" -i "input_file.so -f $work/frames -d 0.033 -e" -o "output_http.so -p 0 -l 127.0.0.1 -max_clients 0" \
    "${rtsp_output[@]}" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!

port=
for _ in $(seq 100); do
    port=$(sed -nE 's#.*listening on http://[^ ]+:([0-9]+)/.*#\1#p' "$work/server.log" | head -n 1)
    [[ -n "$port" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "error: the server exited at start:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$port" ]]; then
    echo "error: no 'listening on http://HOST:PORT/' line on the server's stderr within 10 s:" >&2
    cat "$work/server.log" >&2
    exit 1
fi

rtsp_port=
if [[ ${#rtsp_output[@]} -gt 0 ]]; then
    for _ in $(seq 100); do
        rtsp_port=$(sed -nE 's#.*listening on rtsp://[^ ]+:([0-9]+)/.*#\1#p' "$work/server.log" | head -n 1)
        [[ -n "$rtsp_port" ]] && break
        sleep 0.1
    done
    [[ -n "$rtsp_port" ]] || { echo "error: no 'listening on rtsp://HOST:PORT/' line on the server's stderr:" >&2; cat "$work/server.log" >&2; exit 1; }
fi

echo "server: $server (pid $server_pid, port $port${rtsp_port:+, rtsp $rtsp_port}); ${duration} s per run after ${warmup} s warmup" >&2
echo
echo "| protocol | clients | fps per client (min/med/max) | received % (min/med) | latency ms (p50/p99/max) | MB/s | server CPU s (% of a core) | RSS MiB (end/max) | GC gen0/1/2 | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"

failed=0
for n in $clients_list; do
  for protocol in $protocols; do
    rc=0
    as_rtsp=()
    [[ "$protocol" == rtsp ]] && as_rtsp=(--rtsp "rtsp://127.0.0.1:$rtsp_port/")
    run="$work/run-$protocol-$n"
    dotnet "$work/loadclient/MjpgStreamer.LoadClient.dll" --url "http://127.0.0.1:$port/" "${as_rtsp[@]}" --clients "$n" \
        --duration "$duration" --warmup "$warmup" --ramp-ms "$ramp_ms" --pid "$server_pid" "${http11[@]}" --json \
        >"$run.json" 2>"$run.err" || rc=$?
    if [[ ! -s "$run.json" ]]; then
        echo "| $protocol | $n | run failed (exit $rc): $(head -n 1 "$run.err") | | | | | | | |"
        failed=1
        continue
    fi
    python3 - "$run.json" "$protocol" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def f(v, fmt):
    return "n/a" if v is None else format(v, fmt)
fps, pct, lat, gc = r["fps"], r["received_pct"], r["latency_ms"], r["gc"]
cpu = f(r["server_cpu_s"], ".2f") + " (" + f(r["server_cpu_pct"], ".1f") + " %)"
print("| {} | {} | {}/{}/{} | {}/{} | {}/{}/{} | {:.1f} | {} | {}/{} | {}/{}/{} | {} |".format(
    sys.argv[2], r["clients"], f(fps["min"], ".1f"), f(fps["median"], ".1f"), f(fps["max"], ".1f"),
    f(pct["min"], ".1f"), f(pct["median"], ".1f"),
    f(lat["p50"], ".1f"), f(lat["p99"], ".1f"), f(lat["max"], ".1f"),
    r["mb_per_s"], cpu, f(r["rss_end_mib"], ".1f"), f(r["rss_max_mib"], ".1f"),
    f(gc["gen0"], "d"), f(gc["gen1"], "d"), f(gc["gen2"], "d"), r["connection_errors"]))
PY
    if [[ $rc -ne 0 ]]; then
        echo "$protocol run with $n clients: $(head -n 1 "$run.err")" >&2
        failed=1
    fi
    # Let the server notice the closed connections before the next run.
    sleep 1
  done
done

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server died during the runs:" >&2
    tail -n 20 "$work/server.log" >&2
    failed=1
fi
stop_server
exit $failed
