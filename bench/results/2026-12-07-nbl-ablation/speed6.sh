#!/usr/bin/env bash
# Round 5 speed check: ab0b010's jar (A, the issue's "today"), main's jar (M, 4c9f2af) and this branch's
# jar (B), each with its own defaults (B and M: power 0.8, mean shift 250 m x10), alternating in one
# script, on the same zoom-21 maps built by main's jar; nbl locate --backend java --threads 2 on UAV x10
# (176,680 records) and Cork (188,638 records), each run's own "records/s" line; then JMH
# NblScoringBench (1-3 cells, 30 tiles per cell, 2 threads) for M and B.
# D holds a.jar, main.jar, branch.jar, main-bench.jar, branch-bench.jar, uav.csv, uav10.csv, cork.csv.
set -euo pipefail
D=${D:-/tmp/nbl5}
J="java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -jar"
$J $D/main.jar nbl build --measurements $D/uav.csv --zoom 21 --out $D/uav21.nbl 2>&1 | tail -1
$J $D/main.jar nbl build --measurements $D/cork.csv --zoom 21 --out $D/cork21.nbl 2>&1 | tail -1
for round in 1 2; do
  for v in A M B; do
    case $v in A) jar=a.jar;; M) jar=main.jar;; B) jar=branch.jar;; esac
    for set in uav cork; do
      case $set in uav) rec=uav10.csv;; cork) rec=cork.csv;; esac
      echo -n "round $round $v $set: "
      $J $D/$jar nbl locate --backend java --threads 2 --map $D/${set}21.nbl --records $D/$rec --out $D/est-$v-$set.csv 2>&1 | grep -i "records/s" | tail -1
    done
  done
done
for f in uav cork; do cmp -s $D/est-M-$f.csv $D/est-B-$f.csv && echo "$f: M and B outputs identical" || echo "$f: M and B outputs differ"; done
for v in M B; do
  case $v in M) jar=main-bench.jar;; B) jar=branch-bench.jar;; esac
  echo "JMH $v:"
  java --add-modules=jdk.incubator.vector -jar $D/$jar NblScoringBench -p threads=2 -p tilesPerCell=30 -wi 3 -i 5 -f 1 2>&1 | tail -3
done
