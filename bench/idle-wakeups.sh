#!/bin/sh
# What an idle server costs: the test pattern input, no client, a --pause-file whose folder exists but no lock file.
# Over SECS seconds (10 by default), after 3 s of start-up: context switches of all its threads (each one is a
# wake-up), CPU time, and with perf (if allowed) the stat calls made (.NET's File.Exists is an lstat) and the thread
# pool's spinning (sched_yield) after each timer callback.
#   bench/idle-wakeups.sh out/release/mjpg_streamer [PAUSE_FILE|none]
EXE=${1:-out/release/mjpg_streamer}; LOCK=${2:-/tmp/idle-wakeups/paused.lock}; SECS=${SECS:-10}
[ "$LOCK" = none ] || { mkdir -p "$(dirname "$LOCK")"; rm -f "$LOCK"; }
switches() { cat /proc/$1/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n }'; }
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
"$EXE" --pause-file "$LOCK" -i "input_testpattern.so" -o "output_http.so -p 0 -l 127.0.0.1" 2>/dev/null &
pid=$!; sleep 3
s0=$(switches $pid); t0=$(ticks $pid)
if perf stat -x, -e syscalls:sys_enter_newlstat,syscalls:sys_enter_newfstatat,syscalls:sys_enter_statx,syscalls:sys_enter_sched_yield \
        -p $pid -o /tmp/idle-wakeups.perf sleep "$SECS" 2>/dev/null; then
    stats=$(awk -F, '/sys_enter/ { sub("syscalls:sys_enter_", "", $3); printf "%s %s  ", $3, $1 }' /tmp/idle-wakeups.perf)
else
    sleep "$SECS"; stats="(perf not allowed)"
fi
s1=$(switches $pid); t1=$(ticks $pid); threads=$(ls /proc/$pid/task | wc -l)
kill $pid; wait $pid 2>/dev/null
awk -v s=$((s1 - s0)) -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$SECS" -v th="$threads" -v st="$stats" \
    'BEGIN { printf "%d s idle: %d context switches (%.1f/s, %d threads), CPU %.2f s, syscalls: %s\n", n, s, s / n, th, t / hz, st }'
