#!/usr/bin/env bash
# JMH KernelBench, 2 threads: baseline jar (main at ab0b010, plus the same spdiK5Beta37 method) and this branch's,
# alternated twice in one run. Usage: kernels.sh BASE_JAR NEW_JAR OUT_DIR
set -euo pipefail
base=$1 new=$2 out=$3
mkdir -p "$out"
re='KernelBench\.(nearestSites6|spdiK5|spdiK5Beta37)$'
for round in 1 2; do
  for which in base new; do
    jar=$base; [ $which = new ] && jar=$new
    nice -n 5 "${JAVA:-java}" -jar "$jar" "$re" -p threads=2 -wi 2 -w 2 -i 3 -r 3 -f 1 -jvmArgsPrepend --add-modules=jdk.incubator.vector -rf json -rff "$out/kernels-$which-$round.json" \
      > "$out/kernels-$which-$round.txt" 2>&1
    grep -E '^KernelBench' "$out/kernels-$which-$round.txt" | sed "s/^/$which $round /"
  done
done
