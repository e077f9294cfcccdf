#!/usr/bin/env bash
# bench/results/2026-11-29-unet-cpu-vs-pytorch.sh ROUND: the runs of 2026-11-29-unet-cpu-vs-pytorch.md (JAVA, PYTHON: a JDK 25 java, a python3 with torch).
# Build first: mvn -B -o -q -DskipTests package -pl bench -am
# one round: Java then PyTorch, training (160, batch 8) then inference (608, batch 1)
cd "$(dirname "$0")/../.."
J="${JAVA:-java} --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -cp bench/target/geomend-bench.jar org.geomend.bench.nn.NnBench"
C="--levels 6 --filters 32 --factor 0.5 --kernel 5 --steps 3"
echo "# round $1 $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
$J --backend java --threads 2 $C --batch 8 --size 160 2>/dev/null
${PYTHON:-python3} bench/pytorch_unet.py --device cpu --threads 2 $C --batch 8 --size 160
$J --backend java --threads 2 $C --batch 1 --size 608 --inference-only 2>/dev/null
${PYTHON:-python3} bench/pytorch_unet.py --device cpu --threads 2 $C --batch 1 --size 608 --inference-only
echo "# end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
