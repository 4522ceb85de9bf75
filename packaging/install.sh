#!/usr/bin/env bash
# Installs MjpgStreamer as a systemd service (one instance per camera), adds cameras, takes over OctoPi's
# webcamd, and undoes all of it from the manifest it writes. See docs/install.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prog="$(basename "$0")"

usage() {
    cat <<EOF
Usage: $prog [--prefix DIR] [--root DIR] [--binary FILE] [--octopi]
       $prog [--root DIR] --add-camera [DEVICE]
       $prog [--root DIR] --uninstall
       $prog -h | --help

Installs PREFIX/bin/mjpg_streamer, the unit mjpg-streamer@.service, /etc/mjpg-streamer/ and the system
user mjpg-streamer (groups mjpg-streamer, video); installs libturbojpeg0 with apt-get when missing.

  --prefix DIR        installation prefix (default /usr/local)
  --root DIR          install below DIR (for tests and images): every path is prefixed, and no
                      apt-get, useradd or systemctl runs; what would have run is only recorded
  --binary FILE       the mjpg_streamer executable (default: the one beside this script, else
                      ../out/release/mjpg_streamer of a source tree)
  --octopi            also replace the mjpg_streamer OctoPi's webcamd starts, in \$MJPGSTREAMER_HOME
                      (default /opt/mjpg-streamer); the original is kept as mjpg_streamer.orig
  --add-camera [DEV]  write /etc/mjpg-streamer/camN.conf for the next camera (DEV, or the first
                      /dev/videoN no conf uses) on the next free port from 8080 and enable its instance
  --uninstall         undo everything recorded in /var/lib/mjpg-streamer/installed.files
  -h, --help          this text
EOF
}

fail_usage() {
    echo "$prog: $1" >&2
    echo "Try '$prog --help'." >&2
    exit 2
}

die() {
    echo "$prog: $1" >&2
    exit 1
}

prefix=/usr/local
root=""
binary="$here/mjpg_streamer"
# From the source tree: the executable scripts/publish.sh publishes (until the release tarball exists).
[ -f "$binary" ] || [ ! -f "$here/../out/release/mjpg_streamer" ] || binary="$here/../out/release/mjpg_streamer"
# The portable tarball (32-bit ARM) has the application in app/ and a start script as mjpg_streamer.
portable_app=""
[ ! -f "$here/app/mjpg_streamer.dll" ] || portable_app="$here/app"
action=install
octopi=0
device=""

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || fail_usage "--prefix needs a directory"; prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#*=}"; shift ;;
        --root) [ $# -ge 2 ] || fail_usage "--root needs a directory"; root="$2"; shift 2 ;;
        --root=*) root="${1#*=}"; shift ;;
        --binary) [ $# -ge 2 ] || fail_usage "--binary needs a file"; binary="$2"; shift 2 ;;
        --binary=*) binary="${1#*=}"; shift ;;
        --octopi) octopi=1; shift ;;
        --uninstall) action=uninstall; shift ;;
        --add-camera)
            action=add-camera; shift
            if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then device="$1"; shift; fi ;;
        -h|--help) usage; exit 0 ;;
        *) fail_usage "unknown option '$1'" ;;
    esac
done

# A --binary of the caller's is installed as it is, even from the portable tarball.
[ "$binary" = "$here/mjpg_streamer" ] || portable_app=""

case "$prefix" in /*) ;; *) fail_usage "--prefix must be an absolute path" ;; esac
if [ -n "$root" ]; then
    mkdir -p "$root"
    root="$(cd "$root" && pwd)"
    [ "$root" = / ] && root=""
elif [ "$(id -u)" -ne 0 ]; then
    die "run as root (or with --root DIR to install into a folder)"
fi

etc_dir=/etc/mjpg-streamer
state_dir=/var/lib/mjpg-streamer
manifest="$state_dir/installed.files"
unit_dir=/etc/systemd/system
unit_name='mjpg-streamer@.service'
user=mjpg-streamer

# Runs a command that changes the system, or under --root only says what it would have run.
run() {
    if [ -n "$root" ]; then
        echo "$prog: (--root) would run: $*" >&2
    else
        "$@"
    fi
}

record() { printf '%s\n' "$*" >>"$root$manifest"; }

# Creates a directory (and its parents), recording each one this script created.
make_dir() {
    local dir="$1" missing=()
    while [ ! -d "$root$dir" ]; do
        missing=("$dir" "${missing[@]}")
        dir="$(dirname "$dir")"
    done
    for dir in "${missing[@]}"; do
        mkdir -m 0755 "$root$dir"
        record "dir $dir"
    done
}

# Copies SOURCE to TARGET with MODE, recording the file.
put_file() {
    local source="$1" target="$2" mode="$3"
    make_dir "$(dirname "$target")"
    install -m "$mode" "$source" "$root$target"
    record "file $target"
}

ensure_manifest() {
    if [ ! -f "$root$manifest" ]; then
        local dir="$state_dir" missing=()
        while [ ! -d "$root$dir" ]; do missing=("$dir" "${missing[@]}"); dir="$(dirname "$dir")"; done
        for dir in "${missing[@]}"; do mkdir -m 0755 "$root$dir"; done
        : >"$root$manifest"
        # The manifest's own folders come first so --uninstall removes them last.
        for dir in "${missing[@]}"; do record "dir $dir"; done
    fi
}

do_install() {
    [ -f "$binary" ] || die "no executable at $binary (use --binary FILE)"
    [ -f "$here/$unit_name" ] || die "no $unit_name beside $prog"
    ensure_manifest

    if [ -z "$root" ] && ! dpkg -s libturbojpeg0 >/dev/null 2>&1; then
        apt-get install -y libturbojpeg0
        record "package libturbojpeg0"
    elif [ -n "$root" ]; then
        echo "$prog: (--root) would install libturbojpeg0 with apt-get if missing" >&2
    fi

    local program="$binary"
    if [ -n "$portable_app" ]; then
        # The portable build (32-bit ARM): the application into PREFIX/lib/mjpg-streamer, and the start script,
        # told where that is, as PREFIX/bin/mjpg_streamer.
        local file
        for file in "$portable_app"/*; do
            put_file "$file" "$prefix/lib/mjpg-streamer/$(basename "$file")" 0644
        done
        program="$(mktemp)"
        sed "s|^app_dir=\"\"|app_dir=\"$prefix/lib/mjpg-streamer\"|" "$binary" >"$program"
        grep -q "^app_dir=\"$prefix/lib/mjpg-streamer\"" "$program" || die "$binary is not the portable build's start script"
        if ! dotnet_found; then
            echo "$prog: the .NET 10 runtime is not installed yet; mjpg_streamer needs it (README.md says how):" >&2
            echo "  curl -sSL https://dot.net/v1/dotnet-install.sh | sudo bash -s -- --channel 10.0 --runtime aspnetcore --install-dir /opt/dotnet" >&2
        fi
    fi
    put_file "$program" "$prefix/bin/mjpg_streamer" 0755

    local unit
    unit="$(mktemp)"
    sed "s|/usr/local/|$prefix/|g" "$here/$unit_name" >"$unit"
    put_file "$unit" "$unit_dir/$unit_name" 0644
    rm -f "$unit"
    if [ -f "$here/install.md" ]; then
        put_file "$here/install.md" "$prefix/share/doc/mjpg-streamer/install.md" 0644
    fi

    make_dir "$etc_dir"
    if [ ! -e "$root$etc_dir/example.conf.sample" ]; then
        cat >"$root$etc_dir/example.conf.sample" <<'EOF'
# An example camera. Copy it to NAME.conf (or run install.sh --add-camera), then
#   systemctl enable --now mjpg-streamer@NAME
# The unit passes INPUT and OUTPUT to mjpg_streamer as one -i and one -o argument each, exactly as written.
# Prefer the /dev/v4l/by-id/ name of the camera: /dev/videoN can change between boots.
#INPUT="input_uvc.so -d /dev/v4l/by-id/usb-Vendor_Camera-video-index0 -r 1280x720 -f 15"
#OUTPUT="output_http.so -p 8080 -l 127.0.0.1"
EOF
        chmod 0644 "$root$etc_dir/example.conf.sample"
        record "file $etc_dir/example.conf.sample"
    fi

    if [ -n "$root" ] || ! id -u "$user" >/dev/null 2>&1; then
        run useradd --system --user-group --groups video --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$user"
        record "user $user"
    fi
    run systemctl daemon-reload

    if [ "$octopi" = 1 ]; then
        local home="${MJPGSTREAMER_HOME:-/opt/mjpg-streamer}"
        [ -f "$root$home/mjpg_streamer" ] || die "no OctoPi mjpg_streamer in $home (set MJPGSTREAMER_HOME)"
        if [ ! -e "$root$home/mjpg_streamer.orig" ]; then
            mv "$root$home/mjpg_streamer" "$root$home/mjpg_streamer.orig"
            record "octopi $home"
        fi
        install -m 0755 "$program" "$root$home/mjpg_streamer"
        run systemctl try-restart webcamd.service
    fi
    [ "$program" = "$binary" ] || rm -f "$program"
    echo "$prog: installed $prefix/bin/mjpg_streamer; add a camera with: $prog --add-camera" >&2
}

# Whether the start script of the portable build would find a .NET runtime (the places it looks).
dotnet_found() {
    local dir
    for dir in /opt/dotnet /usr/lib/dotnet /usr/share/dotnet /usr/local/share/dotnet; do
        [ -x "$root$dir/dotnet" ] && return 0
    done
    [ -z "$root" ] && command -v dotnet >/dev/null 2>&1
}

# The /dev/v4l/by-id/ name of DEVICE, or DEVICE itself when there is none (index0 entries first).
stable_name() {
    local device="$1" target link
    target="$(readlink -f "$root$device" 2>/dev/null || true)"
    [ -n "$target" ] || { echo "$device"; return; }
    for link in "$root"/dev/v4l/by-id/*-video-index0 "$root"/dev/v4l/by-id/*; do
        [ -L "$link" ] || continue
        if [ "$(readlink -f "$link")" = "$target" ]; then
            echo "${link#"$root"}"
            return
        fi
    done
    echo "$device"
}

do_add_camera() {
    [ -d "$root$etc_dir" ] || die "$etc_dir is missing: install first"
    ensure_manifest
    local confs=("$root$etc_dir"/*.conf) used_ports=" " used_devices=" " conf
    for conf in "${confs[@]}"; do
        [ -f "$conf" ] || continue
        used_ports+="$(sed -n 's/^OUTPUT=.*-p[[:space:]]\+\([0-9]\+\).*/\1/p' "$conf" | head -n1) "
        local dev
        dev="$(sed -n 's/^INPUT=.*-d[[:space:]]\+\([^[:space:]"]\+\).*/\1/p' "$conf" | head -n1)"
        [ -n "$dev" ] && used_devices+="$(readlink -f "$root$dev" 2>/dev/null || echo "$dev") "
    done

    local n=1 port=8080
    while [ -e "$root$etc_dir/cam$n.conf" ]; do n=$((n + 1)); done
    while [ "${used_ports#* "$port" }" != "$used_ports" ]; do port=$((port + 1)); done

    if [ -z "$device" ]; then
        local candidate
        for candidate in "$root"/dev/video*; do
            [ -e "$candidate" ] || continue
            if [ "${used_devices#* "$(readlink -f "$candidate")" }" = "$used_devices" ]; then
                device="${candidate#"$root"}"
                break
            fi
        done
        [ -n "$device" ] || device="/dev/video$((n - 1))"
    fi

    local name="cam$n" path
    path="$(stable_name "$device")"
    cat >"$root$etc_dir/$name.conf" <<EOF
# Camera $name ($device), served by mjpg-streamer@$name on port $port. Edit, then:
#   systemctl restart mjpg-streamer@$name
INPUT="input_uvc.so -d $path -r 1280x720 -f 15"
OUTPUT="output_http.so -p $port -l 127.0.0.1"
EOF
    chmod 0644 "$root$etc_dir/$name.conf"
    record "file $etc_dir/$name.conf"
    run systemctl enable --now "mjpg-streamer@$name.service"
    record "instance $name"
    echo "$prog: $name: $path on http://127.0.0.1:$port/ ($etc_dir/$name.conf)" >&2
}

do_uninstall() {
    [ -f "$root$manifest" ] || die "nothing to uninstall: $manifest is missing"
    local lines=() i kind path
    mapfile -t lines <"$root$manifest"
    # Instances first: stop them before their binary and unit go.
    for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
        read -r kind path <<<"${lines[i]}"
        if [ "$kind" = instance ]; then
            run systemctl disable --now "mjpg-streamer@$path.service" || echo "$prog: could not disable mjpg-streamer@$path" >&2
        fi
    done
    for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
        read -r kind path <<<"${lines[i]}"
        case "$kind" in
            file) rm -f "$root$path" ;;
            dir)
                [ "$path" = "$state_dir" ] && rm -f "$root$manifest"
                if ! rmdir "$root$path" 2>/dev/null && [ "$path" = "$etc_dir" ]; then
                    echo "$prog: kept $path (it holds confs this script did not write)" >&2
                fi ;;
            octopi)
                if [ -f "$root$path/mjpg_streamer.orig" ]; then
                    mv -f "$root$path/mjpg_streamer.orig" "$root$path/mjpg_streamer"
                    run systemctl try-restart webcamd.service
                fi ;;
            user) run userdel "$path" || echo "$prog: could not remove the user $path" >&2 ;;
            # Marked automatic: `apt-get autoremove` takes it once nothing else needs it.
            package) run apt-mark auto "$path" || true ;;
            instance) ;;
        esac
    done
    rm -f "$root$manifest"
    [ -f "$root$unit_dir/$unit_name" ] || run systemctl daemon-reload
    echo "$prog: uninstalled" >&2
}

case "$action" in
    install) do_install ;;
    add-camera) do_add_camera ;;
    uninstall) do_uninstall ;;
esac
