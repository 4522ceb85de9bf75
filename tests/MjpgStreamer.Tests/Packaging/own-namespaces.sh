#!/usr/bin/env bash
# Usage: own-namespaces.sh COMMAND [ARG...]
#
# Runs COMMAND as on a machine of its own, so that OctoPi's webcamd line can run exactly as written (it binds
# 127.0.0.1:8080, opens /dev/video0 and watches /run/mjpg_streamer_paused.lock) without touching this machine:
#
#   - a new network namespace with only `lo`, brought up: 127.0.0.1:8080 is free whatever this machine runs,
#     and nothing outside can reach it;
#   - a new mount namespace (private propagation: no mount made here is seen outside) in which /dev is a
#     fresh tmpfs holding only null, zero, full, random, urandom, tty, pts, shm and the fd links, bind-mounted
#     from the real /dev: a file the fake camera creates at /dev/video0 (FAKECAM_DEVICES=/dev/video0) exists
#     only in here and goes away with the namespace; /run is a fresh tmpfs too, so the default pause lock
#     file /run/mjpg_streamer_paused.lock is this namespace's own.
#
# COMMAND runs with the script's pid (every step execs), so a test reaches the namespaces through
# /proc/PID/ns/* (e.g. `nsenter -t PID --net curl http://127.0.0.1:8080/`). Nothing is printed before
# COMMAND starts.
#
# Needs root (CAP_SYS_ADMIN) and namespaces; without them it exits with status 77 and one line saying why,
# before anything has changed.
set -euo pipefail
prog="$(basename "$0")"

if [ "${1:-}" != --inside ]; then
    [ $# -gt 0 ] || { echo "usage: $prog COMMAND [ARG...]" >&2; exit 2; }
    if [ "$(id -u)" -ne 0 ]; then
        echo "$prog: needs root to create network and mount namespaces (unshare --net --mount); running as uid $(id -u)" >&2
        exit 77
    fi
    if ! probe="$(unshare --net --mount --propagation private -- true 2>&1)"; then
        echo "$prog: unshare --net --mount is not permitted here: ${probe:-no reason given}" >&2
        exit 77
    fi
    exec unshare --net --mount --propagation private -- "$0" --inside "$@"
fi
shift

# From here on we are in the new namespaces: nothing below is visible outside.
ip link set lo up

# Build the new /dev on a tmpfs mounted at a scratch point, then move it over /dev. The scratch point is a
# folder of the real /tmp (created and removed here; only the tmpfs mounted on it is private).
staging="$(mktemp -d "${TMPDIR:-/tmp}/own-namespaces.XXXXXX")"
mount -t tmpfs -o mode=0755,nosuid,size=16m own-namespaces-dev "$staging"
for node in null zero full random urandom tty; do
    : >"$staging/$node"
    mount --bind "/dev/$node" "$staging/$node"
done
mkdir "$staging/pts" "$staging/shm"
mount --rbind /dev/pts "$staging/pts"
mount --rbind /dev/shm "$staging/shm"
ln -s /proc/self/fd "$staging/fd"
ln -s /proc/self/fd/0 "$staging/stdin"
ln -s /proc/self/fd/1 "$staging/stdout"
ln -s /proc/self/fd/2 "$staging/stderr"
ln -s pts/ptmx "$staging/ptmx"
mount --move "$staging" /dev
rmdir "$staging"

mount -t tmpfs -o mode=0755,nosuid,nodev,size=16m own-namespaces-run /run

exec "$@"
