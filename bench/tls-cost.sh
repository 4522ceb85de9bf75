#!/bin/sh
# CPU of the server with one stream client over HTTP and over HTTPS: 1280x720 JPEGs at ~30 fps, 20 s each.
EXE=${1:-out/release/mjpg_streamer}; SECS=${SECS:-20}; DIR=/tmp/frames720; CERT=/tmp/tls-bench
mkdir -p "$DIR" "$CERT"
[ -f "$DIR/frame_050.jpg" ] || ffmpeg -v error -f lavfi -i testsrc=size=1280x720:rate=30 -frames:v 50 -q:v 5 "$DIR/frame_%03d.jpg"
[ -f "$CERT/c.key" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=bench \
    -keyout "$CERT/c.key" -out "$CERT/c.crt" 2>/dev/null
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
run() {  # $1: http|https, $2: extra output options
    "$EXE" --pause-file none -i "input_file.so -f $DIR -d 0.033 -e" -o "output_http.so -p 18555 -l 127.0.0.1 $2" 2>/dev/null &
    pid=$!; sleep 2
    t0=$(ticks $pid)
    curl -s -k --max-time "$SECS" -o /dev/null -w "%{size_download}" "$1://127.0.0.1:18555/?action=stream" >/tmp/tls-bench/bytes
    t1=$(ticks $pid); kill $pid; wait $pid 2>/dev/null
    awk -v s="$1" -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$SECS" -v b="$(cat /tmp/tls-bench/bytes)" \
        'BEGIN { printf "%-5s server CPU %.2f s in %d s (%.1f %% of one core), %.0f KiB/s received\n", s, t / hz, n, 100 * t / hz / n, b / n / 1024 }'
}
run http ""
run https "-cert $CERT/c.crt -key $CERT/c.key"
