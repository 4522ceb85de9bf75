#!/usr/bin/env bash
# The release executables side by side: x64 natively and arm64 under qemu-aarch64, each streaming the fake camera
# (built for its architecture; MJPEG 640x480 at 30 fps, passthrough) on 127.0.0.1. Per build: the executable's size,
# idle CPU and RSS (camera open, no client; for arm64 the guest's share of qemu's RSS, estimated from smaps), and
# server CPU per frame with 10 stream clients (the load client).
# Rounds alternate the builds; the table gives medians. qemu times are not Pi times: the ratio between the two
# builds of the same code is what the figures compare.
#
# usage: bench/run-arch.sh [ARTIFACTS]   (default out/artifacts: run ./build-release.sh out/artifacts first)
#   env: ROUNDS=3  IDLE=10 (s)  DURATION=10 (s)  WARMUP=3 (s)
# Needs: qemu-user, libc6:arm64, libturbojpeg0:arm64, gcc-aarch64-linux-gnu (test.sh installs them), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
artifacts=$(realpath "${1:-$repo/out/artifacts}")
rounds=${ROUNDS:-3}
idle=${IDLE:-10}
duration=${DURATION:-10}
warmup=${WARMUP:-3}
work=$(mktemp -d -t mjpg-arch.XXXXXX)
server_pid=

stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        timeout 10 tail --pid="$server_pid" -f /dev/null || kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

version=$(ls "$artifacts" | sed -n 's/^mjpg-streamer-\(.*\)-linux-x64\.tar\.gz$/\1/p')
[[ -n "$version" ]] || { echo "error: no mjpg-streamer-*-linux-x64.tar.gz in $artifacts (run ./build-release.sh)" >&2; exit 2; }
for arch in x64 arm64; do
    tar -xzf "$artifacts/mjpg-streamer-$version-linux-$arch.tar.gz" -C "$work"
done
make -s -C "$repo/tests/native/fakecam" all arm64
dotnet publish "$repo/bench/MjpgStreamer.LoadClient/MjpgStreamer.LoadClient.csproj" -c Release -o "$work/loadclient" --nologo -v quiet >/dev/null

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# The guest's share of a qemu-user process: its RSS less qemu's own (its heap of translation blocks, the rwx code
# buffer, the qemu binary and the host libraries). An estimate: anonymous memory qemu allocates with mmap counts.
guest_rss_kib() {
    python3 - "$1" <<'PY'
import re, sys
total, name, perms = 0, "", ""
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    m = re.match(r"^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$", line)
    if m:
        perms, name = m.group(1), m.group(2)
    elif line.startswith("Rss:"):
        own = name in ("[heap]", "[stack]", "[vdso]", "[vvar]") or perms == "rwxp" or "qemu-" in name or "x86_64-linux-gnu" in name or name.startswith("/usr/lib/locale")
        total += 0 if own else int(line.split()[1])
print(total)
PY
}

# Starts BUILD (x64 | arm64) on a free port; sets server_pid and port.
start_server() {
    local arch=$1 exe="$work/mjpg-streamer-$version-linux-$1/mjpg_streamer" lib="$repo/tests/native/fakecam/libfakecam.so"
    local launcher=()
    if [[ $arch == arm64 ]]; then
        launcher=(qemu-aarch64)
        lib="$repo/tests/native/fakecam/arm64/libfakecam.so"
    fi
    rm -rf "$work/dev" && mkdir -p "$work/dev"
    MJPG_STREAMER_V4L2_LIB=$lib FAKECAM_DEVICES="$work/dev/video0" \
        "${launcher[@]}" "$exe" --pause-file none -i "input_uvc.so -d $work/dev/video0 -r 640x480 -f 30" \
        -o "output_http.so -p 0 -l 127.0.0.1" >"$work/server.out" 2>"$work/server.log" &
    server_pid=$!
    port=
    for _ in $(seq 300); do
        port=$(sed -nE 's#.*listening on http://[^ ]+:([0-9]+)/.*#\1#p' "$work/server.log" | head -n 1)
        [[ -n "$port" ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: $arch did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

echo "round,arch,size_bytes,idle_cpu_pct,idle_rss_mib,process_rss_mib,clients10_cpu_ms_per_frame,clients10_fps_median" >"$work/results.csv"
for round in $(seq "$rounds"); do
    for arch in x64 arm64; do
        start_server "$arch"
        size=$(stat -c %s "$work/mjpg-streamer-$version-linux-$arch/mjpg_streamer")
        sleep 3   # settle after start (not measured)
        before=$(cpu_ticks "$server_pid")
        sleep "$idle"
        after=$(cpu_ticks "$server_pid")
        idle_pct=$(python3 -c "print(f'{($after - $before) / $ticks / $idle * 100:.2f}')")
        if [[ $arch == arm64 ]]; then rss=$(guest_rss_kib "$server_pid"); else rss=$(rss_kib "$server_pid"); fi
        idle_rss=$(python3 -c "print(f'{$rss / 1024:.1f}')")
        qemu_rss=$(python3 -c "print(f'{$(rss_kib "$server_pid") / 1024:.1f}')")
        dotnet "$work/loadclient/MjpgStreamer.LoadClient.dll" --url "http://127.0.0.1:$port/" --clients 10 \
            --duration "$duration" --warmup "$warmup" --pid "$server_pid" --json >"$work/load.json" 2>"$work/load.err" || true
        read -r per_frame fps < <(python3 - "$work/load.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
published = r["fps"].get("published_frames") or r.get("published_frames")
print(f'{r["server_cpu_s"] * 1000 / published:.2f} {r["fps"]["median"]:.1f}')
PY
        )
        echo "$round,$arch,$size,$idle_pct,$idle_rss,$qemu_rss,$per_frame,$fps" >>"$work/results.csv"
        echo "round $round $arch: idle ${idle_pct} % ${idle_rss} MiB (process ${qemu_rss} MiB); 10 clients ${per_frame} ms/frame at ${fps} fps" >&2
        stop_server
    done
done

python3 - "$work/results.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def med(arch, key):
    return statistics.median(float(r[key]) for r in rows if r["arch"] == arch)
print("| build | executable | idle CPU (% of a core) | idle RSS MiB | process RSS MiB | 10 clients: CPU ms per frame | fps per client |")
print("|---|---|---|---|---|---|---|")
for arch, label in (("x64", "x64, native"), ("arm64", "arm64, qemu-aarch64")):
    print(f"| {label} | {med(arch, 'size_bytes') / 1048576:.1f} MiB | {med(arch, 'idle_cpu_pct'):.2f} | {med(arch, 'idle_rss_mib'):.1f} | "
          f"{med(arch, 'process_rss_mib'):.1f} | {med(arch, 'clients10_cpu_ms_per_frame'):.2f} | {med(arch, 'clients10_fps_median'):.1f} |")
print()
print(f"arm64/x64 CPU per frame: {med('arm64', 'clients10_cpu_ms_per_frame') / med('x64', 'clients10_cpu_ms_per_frame'):.1f}x; "
      f"idle CPU: {med('arm64', 'idle_cpu_pct') / max(med('x64', 'idle_cpu_pct'), 0.01):.1f}x ({len(rows) // 2} rounds)")
PY
