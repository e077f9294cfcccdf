#!/usr/bin/env bash
# bench/results/2026-12-07-unet/unet-vs-pytorch.sh ROUND: one round of the runs of README.md in this folder.
# Three sides on the same machine, one after the other: geomend Java at main (BASE_JAR), geomend Java at this
# branch (NEW_JAR), PyTorch CPU (PYTHON with torch); round 1 runs them main / branch / PyTorch, round 2 in reverse.
# JAVA: a JDK 25 java. Build the jars first: mvn -B -o -q -DskipTests package -pl bench -am (in each checkout).
# Memory: each process stays under ~6 GiB (three helpers share 23 GiB): Java -Xmx2g plus its off-heap tensors;
# batch 8 at 608 x 608 needs about 7 GiB of tensors on either side, so the 608 training step runs batch 4 on both.
# Every run is wrapped in /usr/bin/time: "# peak rss" is its resident memory.
set -u
cd "$(dirname "$0")/../../.."
ROUND="${1:-1}"
JOPT="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xmx2g"
C="--levels 6 --filters 32 --factor 0.5 --kernel 5"
T=(/usr/bin/time -f "# peak-rss-kb %M")
java_run() { # JAR NAME ARGS...
    local jar="$1" name="$2"
    shift 2
    echo "# $name $*"
    "${T[@]}" ${JAVA:-java} $JOPT -cp "$jar" org.geomend.bench.nn.NnBench --backend java --threads 2 $C "$@" 2>&1 | grep -v '^WARNING'
}
torch_run() {
    echo "# pytorch $*"
    "${T[@]}" ${PYTHON:-/usr/bin/python3} bench/pytorch_unet.py --device cpu --threads 2 $C "$@" 2>&1
}
side() { # WHICH ARGS...
    local w="$1"
    shift
    case "$w" in
        main) java_run "${BASE_JAR:?main\'s geomend-bench.jar}" java-main "$@" ;;
        branch) java_run "${NEW_JAR:-bench/target/geomend-bench.jar}" java-branch "$@" ;;
        torch) torch_run "$@" ;;
    esac
}
ORDER="main branch torch"
[ "$ROUND" = 2 ] && ORDER="torch branch main"
echo "# round $ROUND $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $ORDER; do side "$s" --steps 3 --batch 8 --size 160; done
echo "# $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $ORDER; do side "$s" --steps 1 --batch 4 --size 608; done
echo "# $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in $ORDER; do side "$s" --steps 3 --batch 1 --size 608 --inference-only; done
echo "# end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
