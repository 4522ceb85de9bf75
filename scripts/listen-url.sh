#!/usr/bin/env bash
# Prints the URL the first output_http.so of an mjpg_streamer command line will listen on; nothing when the command
# line starts no server (help, version, a helper verb such as 'mjpg_streamer pause').
case "${1:-}" in
    [a-z]*) exit 0 ;;
esac
for arg in "$@"; do
    case "$arg" in
        -h|--h*|-v|--v*) exit 0 ;;
    esac
done
port=8080
host=127.0.0.1
if [ $# -gt 0 ]; then
    host="0.0.0.0"
    outputs=0
    while [ $# -gt 0 ]; do
        case "$1" in
            -o|--output|--o*)
                outputs=$((outputs + 1))
                if [ $outputs -eq 1 ]; then
                    spec="$2"
                    set -- $spec
                    shift
                    host="0.0.0.0"
                    while [ $# -gt 0 ]; do
                        case "$1" in
                            -p|--p|-port|--port) port="$2"; shift ;;
                            -p=*|--port=*) port="${1#*=}" ;;
                            -l|--l|-listen|--listen) host="$2"; shift ;;
                            -l=*|--listen=*) host="${1#*=}" ;;
                        esac
                        shift
                    done
                    break
                fi
                shift ;;
        esac
        shift
    done
fi
note=""
if [ "$host" = "0.0.0.0" ]; then
    note=" (every address of this machine)"
fi
if [ "$port" = "0" ]; then
    echo "http://$host:<a free port, see the log>/$note"
else
    echo "http://$host:$port/$note"
fi
