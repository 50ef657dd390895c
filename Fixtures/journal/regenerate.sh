#!/bin/sh
# Regenerates the journal fixtures and the expected `paxoslog inspect` outputs next to them.
# Usage (from the repository root, after `swift build`):
#   Fixtures/journal/regenerate.sh [path/to/paxoslog]
# The journals are byte-for-byte reproducible (fixed seeds, one frame per append); review the
# diff of the expected outputs before committing them: they are what the tests hold inspect to.
set -eu
binary=${1:-.build/debug/paxoslog}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d /tmp/pxl-fixtures-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
"$binary" debug-make-fixtures --out "$scratch/out"
for name in none lz4 zlib torn-tail bit-flip truncated-header segment-gap; do
    rm -rf "${here:?}/$name"
    cp -R "$scratch/out/$name" "$here/$name"
done
# expected NAME CASE TARGET [ARGS...]: runs `inspect ARGS COPY/TARGET` on a copy of NAME/journal (as
# the test does) and stores NAME/CASE.txt (stdout), NAME/CASE.stderr.txt (only when stderr is not
# empty) and NAME/CASE.status (the exit status). TARGET is "." or a segment file name.
expected() {
    name=$1 case=$2 target=$3
    shift 3
    rm -rf "$scratch/copy" && cp -R "$here/$name/journal" "$scratch/copy"
    status=0
    "$binary" inspect "$@" "$scratch/copy/$target" > "$here/$name/$case.txt" 2> "$scratch/stderr" || status=$?
    if [ -s "$scratch/stderr" ]; then cp "$scratch/stderr" "$here/$name/$case.stderr.txt"; else rm -f "$here/$name/$case.stderr.txt"; fi
    echo "$status" > "$here/$name/$case.status"
}
for name in none lz4 zlib torn-tail bit-flip truncated-header segment-gap; do
    expected "$name" inspect .
done
expected lz4 inspect-json . --json
expected lz4 inspect-records . --records
expected lz4 inspect-records-json . --records --json
expected zlib inspect-verify . --verify
expected bit-flip inspect-records . --records
expected torn-tail inspect-segment 00000000000000000001.seg --verify
