# Sourced by run.sh, test.sh and build-release.sh: installs missing Debian packages when run as root.

# Usage: try_packages PKG... (a name may be pkg:arch, e.g. libc6:arm64: the architecture is added to dpkg first).
# Returns 0 when all are installed (now or before), 1 when some are missing and cannot be installed here.
try_packages() {
    local missing=() pkg arch
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || return 1
    for pkg in "${missing[@]}"; do
        case "$pkg" in
            *:*)
                arch="${pkg#*:}"
                if [ "$arch" != "$(dpkg --print-architecture)" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
                    echo "Adding the dpkg architecture $arch ..." >&2
                    dpkg --add-architecture "$arch"
                fi ;;
        esac
    done
    echo "Installing ${missing[*]} ..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# Usage: ensure_packages PKG...: installs them when run as root; otherwise, if some are missing, names the command
# that installs them and exits.
ensure_packages() {
    try_packages "$@" && return 0
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ "$(id -u)" -eq 0 ]; then
        echo "Could not install ${missing[*]} (apt-get's messages above)" >&2
    else
        echo "Missing packages: ${missing[*]}. Install them with:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
    fi
    exit 1
}
