#!/bin/sh
# Regenerates the checked-in ELF fixtures for the time_t probe (UserlandTimeBits): small, stripped programs
# whose dynamic imports show the time_t they were built for. Run by hand (CI does not install the cross
# compilers): needs gcc, aarch64-linux-gnu-gcc and arm-linux-gnueabihf-gcc (apt-get install
# gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf). The programs never run.
#   armhf-time64.elf  armhf with -D_TIME_BITS=64 (Debian trixie "t64"): imports __clock_gettime64, __stat64_time64, ...
#   armhf-time32.elf  armhf, plain 32-bit time_t: imports clock_gettime, stat, localtime_r
#   armhf-lfs.elf     armhf with only -D_FILE_OFFSET_BITS=64: still 32-bit time_t (imports stat64, not a time64 name)
#   armhf-notime.elf  armhf, no time function at all: says nothing about time_t
#   aarch64.elf, x86_64.elf  64-bit programs: time_t is always 64-bit, the probe does not apply
set -eu
here=$(cd "$(dirname "$0")" && pwd)

# $1 = compiler, $2 = output name, rest = extra flags
build() {
    cc=$1; out=$2; shift 2
    "$cc" -Os -s -w "$@" -o "$here/$out.elf" "$here/probe.c"
    echo "$out.elf: $(wc -c < "$here/$out.elf") bytes"
}

build arm-linux-gnueabihf-gcc armhf-time64 -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64
build arm-linux-gnueabihf-gcc armhf-time32
build arm-linux-gnueabihf-gcc armhf-lfs -D_FILE_OFFSET_BITS=64
build arm-linux-gnueabihf-gcc armhf-notime -DNO_TIME
build aarch64-linux-gnu-gcc aarch64 -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096
build gcc x86_64 -Wl,-z,noseparate-code
