#!/usr/bin/env bash
# Builds the release tarballs into OUTDIR (default artifacts/):
#   mjpg-streamer-VERSION-linux-x64.tar.gz        NativeAOT executable for x86_64
#   mjpg-streamer-VERSION-linux-arm64.tar.gz      NativeAOT executable for arm64, cross-compiled here
#   mjpg-streamer-VERSION-linux-arm-portable.tar.gz  framework-dependent build + start script (32-bit Raspberry Pi OS)
#   mjpg-streamer-VERSION-linux-{x64,arm64}-symbols.tar.gz  the executables' separate debug symbols
#   SHA256SUMS
# each with install.sh, the systemd unit, install.md, README.md and LICENSE. Installs the Debian packages the
# cross build needs (as run.sh does); publishes only what changed since the last build (stamps under out/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prog=build-release.sh

usage() {
    echo "Usage: ./build-release.sh [OUTDIR]    (default: artifacts/ in the repository)"
}
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    -*) echo "$prog: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "$prog: one OUTDIR at most" >&2; usage >&2; exit 2; }
outdir="${1:-$here/artifacts}"
mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"

cd "$here"
. scripts/deps.sh
. scripts/publish.sh

if [ "$(uname -m)" != x86_64 ]; then
    echo "$prog: builds on x86_64 only (this machine is $(uname -m)): the x64 executable is this machine's NativeAOT build" >&2
    exit 1
fi
# gcc: the x64 link (the project's CppCompilerAndLinker); clang + lld + llvm (llvm-objcopy): the arm64 link and its
# symbol split; gcc-aarch64-linux-gnu: the arm64 glibc, crt files and libgcc clang links against.
ensure_packages libturbojpeg0 gcc clang lld llvm gcc-aarch64-linux-gnu

version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/MjpgStreamer/MjpgStreamer.csproj)"
[ -n "$version" ] || { echo "$prog: no <Version> in src/MjpgStreamer/MjpgStreamer.csproj" >&2; exit 1; }

publish_release "$prog"
publish_to "$prog" out/release-linux-arm64 -r linux-arm64 -p:CppCompilerAndLinker=clang -p:LinkerFlavor=lld -p:ObjCopyName=llvm-objcopy
publish_to "$prog" out/release-portable -p:PublishAot=false -p:UseAppHost=false -p:SelfContained=false -p:DebugType=none

# Reproducible archives: sorted names, root-owned, every file dated to the last commit (or now outside git).
epoch="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

make_tarball() {
    local name="$1"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --format=gnu \
        -C "$stage" -cf - "$name" | gzip -9n >"$outdir/$name.tar.gz"
    echo "$prog: $outdir/$name.tar.gz ($(du -k "$outdir/$name.tar.gz" | cut -f1) KiB)" >&2
}

# The files every tarball has, into $stage/NAME; the README names its flavour.
common_files() {
    local name="$1" flavour="$2"
    mkdir -p "$stage/$name"
    install -m 0755 packaging/install.sh "$stage/$name/install.sh"
    install -m 0644 packaging/mjpg-streamer@.service "$stage/$name/mjpg-streamer@.service"
    install -m 0644 docs/install.md "$stage/$name/install.md"
    install -m 0644 LICENSE "$stage/$name/LICENSE"
    sed -e "s/@VERSION@/$version/g" -e "s/@FLAVOUR@/$flavour/g" packaging/README.release.md >"$stage/$name/README.md"
    chmod 0644 "$stage/$name/README.md"
}

for arch in x64 arm64; do
    dir=out/release
    [ "$arch" = arm64 ] && dir=out/release-linux-arm64
    name="mjpg-streamer-$version-linux-$arch"
    common_files "$name" "linux-$arch"
    install -m 0755 "$dir/mjpg_streamer" "$stage/$name/mjpg_streamer"
    mkdir -p "$stage/$name-symbols"
    install -m 0644 "$dir/mjpg_streamer.dbg" "$stage/$name-symbols/mjpg_streamer.dbg"
    make_tarball "$name"
    make_tarball "$name-symbols"
done

name="mjpg-streamer-$version-linux-arm-portable"
common_files "$name" linux-arm-portable
install -m 0755 packaging/mjpg_streamer-portable.sh "$stage/$name/mjpg_streamer"
mkdir -p "$stage/$name/app"
for file in out/release-portable/*.dll out/release-portable/*.json; do
    case "$file" in *staticwebassets*) continue ;; esac
    install -m 0644 "$file" "$stage/$name/app/"
done
make_tarball "$name"

(cd "$outdir" && sha256sum mjpg-streamer-"$version"-*.tar.gz >SHA256SUMS)
echo "$prog: done: $outdir (version $version)" >&2
