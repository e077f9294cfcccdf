#!/usr/bin/env bash
# Round 2 speed check: main's jar (M) and this branch's jar (B) alternating, UAV x10 (176,680 records),
# one map built by main's jar (zoom 21, main's defaults) so both score the same map; B with its defaults
# (Laplace tail) and with --tail gauss. nbl locate --backend java --threads 2; its own records/s line.
set -euo pipefail
D=${D:-/tmp/nbl2}
J="$GEOMEND_JAVA_HOME/bin/java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -jar"
$J $D/main.jar nbl build --measurements $D/uav.csv --zoom 21 --out $D/uav21.nbl 2>&1 | tail -1
for round in 1 2 3; do
  for v in M B Bg; do
    case $v in M) jar=main.jar; extra=;; B) jar=branch.jar; extra=;; Bg) jar=branch.jar; extra="--tail gauss";; esac
    echo -n "round $round $v: "
    $J $D/$jar nbl locate --backend java --threads 2 --map $D/uav21.nbl --records $D/uav10.csv $extra --out $D/est-$v.csv 2>&1 | grep -i "records/s" | tail -1
  done
done
