#!/usr/bin/env bash
# Round 3 speed check: main's jar (M) against this branch's jar (B), alternating in one script, on the same
# maps (zoom 21, built by main's jar from all of uav.csv / cork.csv with main's defaults):
#  - nbl locate --backend java --threads 2 on UAV x10 (176,680 records) and on Cork (188,638 records);
#    each run's own "records/s" line (score and end to end)
#  - JMH NblScoringBench (1-3 cells, 30 tiles per cell, 2 threads) from each jar's bench jar
# D holds main.jar, branch.jar, main-bench.jar, branch-bench.jar, uav.csv, uav10.csv, cork.csv.
set -euo pipefail
D=${D:-/tmp/nbl3}
J="java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -jar"
$J $D/main.jar nbl build --measurements $D/uav.csv --zoom 21 --out $D/uav21.nbl 2>&1 | tail -1
$J $D/main.jar nbl build --measurements $D/cork.csv --zoom 21 --out $D/cork21.nbl 2>&1 | tail -1
for round in 1 2 3; do
  for v in M B; do
    case $v in M) jar=main.jar;; B) jar=branch.jar;; esac
    for set in uav cork; do
      case $set in uav) rec=uav10.csv;; cork) rec=cork.csv;; esac
      echo -n "round $round $v $set: "
      $J $D/$jar nbl locate --backend java --threads 2 --map $D/${set}21.nbl --records $D/$rec --out $D/est-$v-$set.csv 2>&1 | grep -i "records/s" | tail -1
    done
  done
done
for f in uav cork; do cmp -s $D/est-M-$f.csv $D/est-B-$f.csv && echo "$f: outputs identical" || echo "$f: outputs differ"; done
for round in 1 2; do
  for v in main branch; do
    echo -n "jmh round $round $v: "
    $J $D/$v-bench.jar NblScoringBench -p threads=2 -p tilesPerCell=30 -wi 3 -i 5 -f 1 2>&1 | grep -E "^NblScoringBench" | tail -1
  done
done
