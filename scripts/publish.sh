# Sourced by run.sh, test.sh and build-release.sh: publishes mjpg_streamer into a folder under out/, unless the build
# there was made from exactly the present sources (a NativeAOT publish takes a minute or more even when nothing changed).

# One hash over every build input: the sources (paths and contents, so an added, removed or renamed file counts too),
# the shared MSBuild files, global.json, this script, the SDK that would build them and the publish arguments ($@).
publish_inputs_hash() {
    {
        dotnet --version
        printf '%s\n' "$@"
        find src Directory.Build.props Directory.Packages.props global.json scripts/publish.sh \( -name bin -o -name obj \) -prune -o -type f -print0 \
            | LC_ALL=C sort -z | xargs -0 sha256sum
    } | sha256sum | cut -d' ' -f1
}

# Usage: publish_to WHO OUTDIR [dotnet publish arguments] (WHO: the script's name, for its messages). Run from the
# repository root. OUTDIR.stamp holds the inputs' hash once a publish succeeded; OUTDIR.log the publish's output.
# A warning fails the publish as an error does: a release is built without warnings.
publish_to() {
    local who="$1" dir="$2"
    shift 2
    local stamp="$dir.stamp" log="$dir.log" hash
    mkdir -p out
    hash="$(publish_inputs_hash "$@")"
    if [ -x "$dir/mjpg_streamer" -o -f "$dir/mjpg_streamer.dll" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
        echo "$who: $dir is up to date" >&2
        return 0
    fi

    echo "$who: publishing $dir ${*:+($*) }..." >&2
    # Gone while publishing: a publish that fails or is interrupted half-way must not count as done.
    rm -f "$stamp"
    rm -rf "$dir"
    if ! dotnet publish src/MjpgStreamer -c Release -o "$dir" --nologo -v quiet "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "$who: the build failed (log above, also in $log)" >&2
        exit 1
    fi
    if grep -qi ': warning ' "$log"; then
        grep -i ': warning ' "$log" >&2
        echo "$who: the build of $dir gave warnings (above)" >&2
        exit 1
    fi
    echo "$hash" >"$stamp"
}

# Usage: publish_release WHO: the NativeAOT executable for this machine, out/release/mjpg_streamer (run.sh, test.sh).
publish_release() {
    publish_to "$1" out/release
}
