#!/usr/bin/env bash
# Round 4 speed check: ab0b010's jar (A, the issue's "today"), main's jar (M, dfe13a3) and this branch's
# jar (B: round-4 defaults with the mean shift; B0: the same jar with --power 1 --shift 0, the round-2
# scoring), alternating in one script, on the same zoom-21 maps built by main's jar;
# nbl locate --backend java --threads 2 on UAV x10 (176,680 records) and Cork (188,638 records), each
# run's own "records/s" line (score and end to end).
# D holds a.jar, main.jar, branch.jar, uav.csv, uav10.csv, cork.csv.
set -euo pipefail
D=${D:-/tmp/nbl4}
J="java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -jar"
$J $D/main.jar nbl build --measurements $D/uav.csv --zoom 21 --out $D/uav21.nbl 2>&1 | tail -1
$J $D/main.jar nbl build --measurements $D/cork.csv --zoom 21 --out $D/cork21.nbl 2>&1 | tail -1
for round in 1 2; do
  for v in A M B B0; do
    extra=""
    case $v in A) jar=a.jar;; M) jar=main.jar;; B) jar=branch.jar;; B0) jar=branch.jar; extra="--power 1 --shift 0";; esac
    for set in uav cork; do
      case $set in uav) rec=uav10.csv;; cork) rec=cork.csv;; esac
      echo -n "round $round $v $set: "
      $J $D/$jar nbl locate --backend java --threads 2 $extra --map $D/${set}21.nbl --records $D/$rec --out $D/est-$v-$set.csv 2>&1 | grep -i "records/s" | tail -1
    done
  done
done
for f in uav cork; do cmp -s $D/est-M-$f.csv $D/est-B0-$f.csv && echo "$f: M and B0 outputs identical" || echo "$f: M and B0 outputs differ"; done
