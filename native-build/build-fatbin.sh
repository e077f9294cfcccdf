#!/usr/bin/env bash
# Compiles every cuda-src/*.cu into one fatbin (sm_80, sm_90 SASS + compute_90 PTX) at
# $2/geomend.fatbin. Without nvcc it warns and skips, unless GEOMEND_REQUIRE_NVCC=1 (CI sets it).
set -euo pipefail
src=$1 out=$2
mkdir -p "$out"
if ! command -v nvcc >/dev/null 2>&1; then
  if [ "${GEOMEND_REQUIRE_NVCC:-0}" = 1 ]; then echo "native-build: nvcc not found and GEOMEND_REQUIRE_NVCC=1" >&2; exit 1; fi
  echo "native-build: WARNING: nvcc not found; the CUDA backend will have no kernels (java backend only)" >&2
  exit 0
fi
shopt -s nullglob
cus=("$src"/*.cu)
if [ ${#cus[@]} -eq 0 ]; then echo "native-build: no .cu files in $src" >&2; exit 0; fi
stamp="$out/geomend.fatbin"
newest=$(ls -t "$src"/*.cu "$src"/*.cuh "$0" 2>/dev/null | head -1)
if [ -f "$stamp" ] && [ "$stamp" -nt "$newest" ]; then echo "native-build: geomend.fatbin up to date"; exit 0; fi
# one translation unit so the fatbin is one module: a generated file that includes every .cu
all=$(mktemp -d)/geomend_all.cu
for f in "${cus[@]}"; do echo "#include \"$(realpath "$f")\""; done > "$all"
nvcc -fatbin -std=c++17 -O3 -I"$src" \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_90,code=compute_90 \
  -o "$stamp.tmp" "$all"
mv "$stamp.tmp" "$stamp"
echo "native-build: wrote $stamp ($(stat -c %s "$stamp") bytes from ${#cus[@]} .cu files)"
