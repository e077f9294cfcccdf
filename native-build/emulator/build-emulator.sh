#!/usr/bin/env bash
# Builds the geomend CUDA emulator: a CPU stand-in for the CUDA driver (libcuda.so.1) that runs every
# cuda-src/*.cu kernel, compiled unchanged as C++ by g++, and a stand-in for cuDNN 9 (libcudnn.so.9), both into
# OUTDIR, a directory of their own that is never on the default library path.
#
#   build-emulator.sh CUDA_SRC OUTDIR JCUDA_NATIVES (the jcuda-natives jar, or its libJCudaDriver*.so)
#
# Every cu* symbol JCuda's libJCudaDriver needs is exported: runtime.cpp implements what bindings/ calls, the
# others are generated stubs that name themselves on stderr and return CUDA_ERROR_NOT_SUPPORTED.
# Without g++ it warns and skips, unless GEOMEND_REQUIRE_EMULATOR=1 (.ci/run sets it): then it fails.
set -euo pipefail
src=$(realpath "$1") out=$2 natives=$3
here=$(cd "$(dirname "$0")" && pwd)
fail() {
  if [ "${GEOMEND_REQUIRE_EMULATOR:-0}" = 1 ]; then echo "cuda-emulator: ERROR: $*" >&2; exit 1; fi
  echo "cuda-emulator: WARNING: $* (the CUDA emulator is not built; the CUDA tests will be skipped)" >&2
  exit 0
}
command -v g++ >/dev/null 2>&1 || fail "g++ not found (apt-get install g++)"
command -v nm >/dev/null 2>&1 || fail "nm not found (apt-get install binutils)"
[ "$(uname -s)" = Linux ] || fail "the emulator is built on Linux only"
case "$(uname -m)" in x86_64|aarch64) ;; *) fail "no fiber context switch for $(uname -m)";; esac
mkdir -p "$out"
lib="$out/libcuda.so.1"
newest=$(ls -t "$src"/*.cu "$src"/*.cuh "$here"/*.h "$here"/*.cpp "$here"/*.sh 2>/dev/null | head -1)
if [ -f "$lib" ] && [ -f "$out/libcudnn.so.9" ] && [ "$lib" -nt "$newest" ]; then
  echo "cuda-emulator: up to date ($out)"; exit 0
fi
t0=$(date +%s)
work=$(mktemp -d)
trap '[ -n "${GM_EMU_KEEP:-}" ] || rm -rf "$work"' EXIT

# 1. JCuda's driver library: the cu* symbols it needs
so="$natives"
if [[ "$natives" == *.jar ]]; then
  [ -f "$natives" ] || fail "no JCuda natives jar at $natives"
  (cd "$work" && unzip -q -o "$natives" 'lib/libJCudaDriver*' 2>/dev/null) || fail "cannot unpack $natives"
  so=$(ls "$work"/lib/libJCudaDriver*.so 2>/dev/null | head -1)
fi
[ -n "$so" ] && [ -f "$so" ] || fail "no libJCudaDriver in $natives"
nm -D --undefined-only "$so" | awk '{print $NF}' | sed 's/@.*//' | grep '^cu' | sort -u > "$work/needed.txt"

# 2. the kernels: one translation unit including every .cu (as build-fatbin.sh does for nvcc), and their table,
#    found in the preprocessed source: each `extern "C" __global__ void [__launch_bounds__(N)] name(`
cxx=(g++ -std=c++17 -O2 -fPIC -ffp-contract=off -fno-fast-math -fvisibility=hidden -fvisibility-inlines-hidden -I"$src" -I"$here")
for f in "$src"/*.cu; do echo "#include \"$f\""; done > "$work/kernels_all.cpp"
"${cxx[@]}" -E -P -DGM_EMU_DISCOVER -include "$here/device.h" -x c++ "$work/kernels_all.cpp" -o "$work/pre.ii" ||
  fail "g++ cannot preprocess cuda-src"
perl -0777 -ne '
  s/\s+/ /g; my %seen; my $n = 0;
  while (/extern "C" __global__ void (?:__launch_bounds__\s*\(\s*([^,)]+)(?:,[^)]*)?\)\s*)?([A-Za-z_]\w*)\s*\(/g) {
    my ($b, $k) = (defined $1 ? $1 : "1024", $2);
    next if $seen{$k}++;
    print "GM_EMU_KERNEL($k, ($b))\n"; $n++;
  }
  die "no extern \"C\" __global__ kernels found\n" unless $n;
' "$work/pre.ii" > "$work/kernels.inc" || fail "kernel discovery failed"
cat > "$work/kernels.cpp" <<EOF
#include "$work/kernels_all.cpp"
#include "kernel_table.h"
static const gm_emu::KernelInfo gm_emu_table[] = {
#include "$work/kernels.inc"
};
extern "C" __attribute__((visibility("default"))) const gm_emu::KernelInfo* gm_emu_kernels(int* count) {
    *count = (int)(sizeof gm_emu_table / sizeof gm_emu_table[0]);
    return gm_emu_table;
}
EOF
"${cxx[@]}" -include "$here/device.h" -Wno-unknown-pragmas -c "$work/kernels.cpp" -o "$work/kernels.o" ||
  fail "g++ cannot compile cuda-src as C++ against device.h"
"${cxx[@]}" -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=0 -c "$here/runtime.cpp" -o "$work/runtime.o" ||
  fail "g++ cannot compile runtime.cpp"

# 3. stubs for every needed cu* symbol that runtime.cpp does not define
nm --defined-only "$work/runtime.o" | awk '{print $NF}' | grep '^cu' | sort -u > "$work/defined.txt"
comm -23 "$work/needed.txt" "$work/defined.txt" > "$work/stubs.txt"
{
  echo '#include <cstdio>'
  while read -r s; do
    echo "extern \"C\" __attribute__((visibility(\"default\"))) int $s() {"
    echo "    std::fprintf(stderr, \"geomend CUDA emulator: $s is not emulated (CUDA_ERROR_NOT_SUPPORTED)\\n\");"
    echo "    return 801;"
    echo "}"
  done < "$work/stubs.txt"
} > "$work/stubs.cpp"
"${cxx[@]}" -c "$work/stubs.cpp" -o "$work/stubs.o"
"${cxx[@]}" -shared -Wl,-soname,libcuda.so.1 -Wl,--no-undefined -o "$lib.tmp" \
  "$work/runtime.o" "$work/kernels.o" "$work/stubs.o" -lpthread -ldl || fail "cannot link libcuda.so.1"
# the checking mode fills the library's TLS block (the __shared__ arrays) with garbage: no TLS initialiser guard
# may live there
if readelf -sW "$lib.tmp" 2>/dev/null | grep -q '__tls_guard'; then fail "libcuda.so.1 has a TLS guard (a thread_local with a dynamic initialiser)"; fi
# every symbol JCuda needs must be there
nm -D --defined-only "$lib.tmp" | awk '{print $NF}' | grep '^cu' | sort -u > "$work/exported.txt"
missing=$(comm -23 "$work/needed.txt" "$work/exported.txt" | head -5)
[ -z "$missing" ] || fail "libcuda.so.1 lacks $missing"
mv "$lib.tmp" "$lib"

# 4. the cuDNN stand-in
bash "$here/build-cudnn.sh" "$out" || fail "cannot build libcudnn.so.9"
echo "cuda-emulator: built $lib ($(wc -l < "$work/needed.txt") cu* symbols, $(wc -l < "$work/stubs.txt") of them stubs) and libcudnn.so.9 in $(( $(date +%s) - t0 )) s"
