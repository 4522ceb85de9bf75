# Sourced by run.sh and test.sh: publishes the NativeAOT executable to out/release/mjpg_streamer, unless the build
# there was made from exactly the present sources (a NativeAOT publish takes a minute or more even when nothing changed).

# One hash over every build input: the sources (paths and contents, so an added, removed or renamed file counts too),
# the shared MSBuild files, global.json, this script (the publish command) and the SDK that would build them.
publish_inputs_hash() {
    {
        dotnet --version
        find src Directory.Build.props Directory.Packages.props global.json scripts/publish.sh \( -name bin -o -name obj \) -prune -o -type f -print0 \
            | LC_ALL=C sort -z | xargs -0 sha256sum
    } | sha256sum | cut -d' ' -f1
}

# Usage: publish_release WHO (the script's name, for its messages). Run from the repository root.
publish_release() {
    local who="$1"
    local stamp=out/release.stamp
    local hash
    mkdir -p out
    hash="$(publish_inputs_hash)"
    if [ -x out/release/mjpg_streamer ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
        echo "$who: out/release/mjpg_streamer is up to date" >&2
        return 0
    fi

    echo "$who: publishing out/release/mjpg_streamer (NativeAOT: a minute or more) ..." >&2
    # Gone while publishing: a publish that fails or is interrupted half-way must not count as done.
    rm -f "$stamp"
    if ! dotnet publish src/MjpgStreamer -c Release -o out/release --nologo -v quiet >out/publish.log 2>&1; then
        cat out/publish.log >&2
        echo "$who: the build failed (log above)" >&2
        exit 1
    fi
    echo "$hash" >"$stamp"
}
