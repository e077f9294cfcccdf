#!/usr/bin/env bash
# Builds the geomend cuDNN emulator, a CPU stand-in for cuDNN 9, as OUTDIR/libcudnn.so.9 (cudnn_emu.cpp), and
# checks that it exports exactly the cudnn* functions bindings/ looks up (CudnnLibrary.java), when that file and
# nm are there. With --selftest it also builds cudnn_emu_selftest.cpp twice (with and without a
# gm_emu_device_range_ok of its own) and runs both against the library; any failure fails the build.
#
#   build-cudnn.sh OUTDIR [--selftest]
#
# build-emulator.sh calls it (without --selftest) after building libcuda.so.1 into the same OUTDIR.
set -euo pipefail
usage() { echo "usage: $0 OUTDIR [--selftest]" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1
shift
selftest=0
for a in "$@"; do
  case "$a" in
    --selftest) selftest=1 ;;
    *) usage ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
command -v g++ >/dev/null 2>&1 || { echo "build-cudnn: g++ not found (apt-get install g++)" >&2; exit 1; }
mkdir -p "$out"
lib="$out/libcudnn.so.9"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

g++ -O2 -fPIC -shared -std=c++17 -fvisibility=hidden -Wall -Wextra -Wl,-soname,libcudnn.so.9 -Wl,--no-undefined \
  -o "$work/libcudnn.so.9" "$here/cudnn_emu.cpp" -ldl -lpthread

# the exports: every cudnn* name CudnnLibrary.java looks up, and no other cudnn* name
java="$here/../../bindings/src/main/java/org/geomend/cuda/CudnnLibrary.java"
if command -v nm >/dev/null 2>&1 && [ -f "$java" ]; then
  # fn.get("cudnnX", ...) with or without a line break after the parenthesis (the formatter wraps long calls)
  tr '\n' ' ' < "$java" | grep -o 'fn\.get( *"cudnn[A-Za-z0-9_]*"' | sed 's/fn\.get( *"//; s/"$//' | sort -u > "$work/wanted.txt"
  nm -D --defined-only "$work/libcudnn.so.9" | awk '{print $NF}' | grep '^cudnn' | sort -u > "$work/exported.txt"
  missing=$(comm -23 "$work/wanted.txt" "$work/exported.txt" | tr '\n' ' ')
  extra=$(comm -13 "$work/wanted.txt" "$work/exported.txt" | tr '\n' ' ')
  [ -z "$missing" ] || { echo "build-cudnn: libcudnn.so.9 lacks what CudnnLibrary.java calls: $missing" >&2; exit 1; }
  [ -z "$extra" ] || { echo "build-cudnn: libcudnn.so.9 exports what CudnnLibrary.java does not call: $extra" >&2; exit 1; }
fi
mv "$work/libcudnn.so.9" "$lib"

if [ "$selftest" = 1 ]; then
  cxx=(g++ -O1 -std=c++17 -Wall -Wextra)
  "${cxx[@]}" -DGM_SELFTEST_HOOK=1 -rdynamic -o "$work/selftest-hook" "$here/cudnn_emu_selftest.cpp" -ldl -lpthread &
  p1=$!
  "${cxx[@]}" -DGM_SELFTEST_HOOK=0 -o "$work/selftest-plain" "$here/cudnn_emu_selftest.cpp" -ldl -lpthread &
  p2=$!
  wait "$p1"
  wait "$p2"
  "$work/selftest-hook" "$lib" 2>"$work/hook.err" || { cat "$work/hook.err" >&2; echo "build-cudnn: selftest failed" >&2; exit 1; }
  "$work/selftest-plain" "$lib" 2>"$work/plain.err" || { cat "$work/plain.err" >&2; echo "build-cudnn: selftest failed" >&2; exit 1; }
  echo "build-cudnn: $(grep -c 'geomend cuDNN emulator:' "$work/hook.err" "$work/plain.err" | awk -F: '{s += $2} END {print s}') expected error messages on stderr (not shown)"
fi
echo "build-cudnn: built $lib"
