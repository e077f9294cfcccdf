#!/usr/bin/env bash
# Goal 4: JMH TeacherSweepBench.batchedSweep (119 betas, one 600 x 600 window, 2 threads), baseline jar then this
# branch's, alternated twice in one run; then the 119 KS2 of both builds against one float64 reference map
# (SweepDump.java, compiled against the bench jar). Usage: teacher.sh BASE_JAR NEW_JAR OUT_DIR
set -euo pipefail
base=$1 new=$2 out=$3 here=$(cd "$(dirname "$0")" && pwd)
J="${JAVA:-java}"
mkdir -p "$out"
for round in 1 2; do
  for which in base new; do
    jar=$base; [ $which = new ] && jar=$new
    nice -n 5 "$J" -jar "$jar" 'TeacherSweepBench\.batchedSweep$' -p threads=2 -f 1 \
      -jvmArgsPrepend --add-modules=jdk.incubator.vector -rf json -rff "$out/teacher-$which-$round.json" \
      > "$out/teacher-$which-$round.txt" 2>&1
    grep -E '^TeacherSweepBench' "$out/teacher-$which-$round.txt" | sed "s/^/$which $round /"
  done
done
"${JAVAC:-javac}" -cp "$new" -d "$out" "$here/SweepDump.java"
for which in base new; do
  jar=$base; [ $which = new ] && jar=$new
  nice -n 5 "$J" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$jar:$out" SweepDump > "$out/ks2-$which.txt" 2>/dev/null
done
paste "$out/ks2-base.txt" "$out/ks2-new.txt" | awk '{d = $2 - $4; if (d < 0) d = -d; if (d > m) m = d} END {printf "KS2 per beta, base vs new: max |diff| %.3g over %d betas\n", m, NR}'
