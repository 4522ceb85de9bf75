#!/usr/bin/env bash
# Issue 14's scaling engine (JpegScaler) on one thread: 1920x1080 4:2:2 quality 80 → 1/4, 1/2, 1/8 at quality 70.
# usage: bench/run-scale.sh [frames]   (default 200 per shape; about 10 s with the build)
# Needs: ffmpeg, libturbojpeg0, the .NET SDK. Two pictures as raw 4:2:2 planes: ffmpeg's testsrc (smooth, a small
# JPEG), and the same with sensor-like noise (a JPEG of a camera's size, which costs more to decode).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t mjpg-scale-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=1920x1080 -frames:v 1 -pix_fmt yuvj422p -f rawvideo "$work/clean.yuv"
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=1920x1080 -vf noise=alls=12:allf=t -frames:v 1 -pix_fmt yuvj422p \
    -f rawvideo "$work/noisy.yuv"
for picture in clean noisy; do
    echo "picture: $picture"
    dotnet run -c Release "$repo/bench/scale/ScaleBench.cs" -- "$work/$picture.yuv" "${1:-200}"
done
