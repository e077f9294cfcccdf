#!/usr/bin/env bash
# JMH KernelBench, 2 threads: up to three jars (e.g. main before round 3, main, a branch), alternated per round in
# one run, load average logged before each. Usage: kernels3.sh OUT_DIR ROUNDS NAME=JAR...
set -euo pipefail
out=$1 rounds=$2; shift 2
mkdir -p "$out"
re='KernelBench\.(nearestSites6|spdiK5|spdiK5Beta37)$'
for round in $(seq 1 "$rounds"); do
  for nj in "$@"; do
    name=${nj%%=*} jar=${nj#*=}
    echo "# $name round $round $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    nice -n 5 "${JAVA:-java}" -jar "$jar" "$re" -p threads=2 -wi 2 -w 2 -i 3 -r 3 -f 1 -jvmArgsPrepend --add-modules=jdk.incubator.vector -rf json -rff "$out/kernels-$name-$round.json" \
      > "$out/kernels-$name-$round.txt" 2>&1
    grep -E '^KernelBench' "$out/kernels-$name-$round.txt" | sed "s/^/$name $round /"
  done
done
