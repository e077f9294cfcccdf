#!/usr/bin/env bash
# Shows that the CUDA emulator runs our real kernels: applies one mutation (a perl substitution) to a copy of
# cuda-src/, builds an emulator from the copy into a temporary directory, and runs the conformance module against
# it (the checking mode on, as in ./test.sh). The tree is never modified.
#
#   native-build/emulator/mutate.sh FILE 'PERL_SUBSTITUTION' [TEST_FILTER]
#   e.g. native-build/emulator/mutate.sh common.cuh 's/__syncthreads\(\);//' 'ConformanceTest'
#
# Prints the tests that ran, failed and were skipped. Exit status: 0 when the mutation was caught (a test failed),
# 1 when every test still passed (a mutation the suite misses), 2 on bad usage or a mutation that changed nothing.
# Needs a built tree (./build.sh) and a JDK >= 25.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
file=$1 subst=$2 filter=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/scripts/find-jdk.sh"
geomend_find_jdk || exit 2
export JAVA_HOME="$GEOMEND_JAVA_HOME"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/cuda-src" "$work/src"
[ -f "$work/src/$file" ] || { echo "mutate: no cuda-src/$file" >&2; exit 2; }
perl -0777 -pi -e "$subst" "$work/src/$file"
if cmp -s "$root/cuda-src/$file" "$work/src/$file"; then echo "mutate: '$subst' changes nothing in $file" >&2; exit 2; fi
diff -u "$root/cuda-src/$file" "$work/src/$file" | sed -n '3,$p' | grep '^[-+]' | head -6 || true
jar=$(ls ~/.m2/repository/org/jcuda/jcuda-natives/*/jcuda-natives-*-linux-x86_64.jar | head -1)
GEOMEND_REQUIRE_EMULATOR=1 bash "$here/build-emulator.sh" "$work/src" "$work/emu" "$jar" >/dev/null
args=(-B -o -q -pl test surefire:test "-Dgeomend.cuda.emulator.dir=$work/emu" -Dsurefire.failIfNoSpecifiedTests=false)
[ -n "$filter" ] && args+=("-Dtest=$filter")
reports="$root/test/target/surefire-reports"
rm -rf "$reports"
(cd "$root" && mvn "${args[@]}" >"$work/mvn.log" 2>&1) || true
total=0 failed=0 skipped=0
for f in "$reports"/*.txt; do
  read -r t fl e s < <(sed -n 's/^Tests run: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\), Skipped: \([0-9]*\).*/\1 \2 \3 \4/p' "$f" | head -1)
  total=$((total + ${t:-0})) failed=$((failed + ${fl:-0} + ${e:-0})) skipped=$((skipped + ${s:-0}))
done
echo "mutate: $file '$subst': $total tests, $failed failed, $skipped skipped"
grep -h -o '^[a-zA-Z.]*Test\.[A-Za-z0-9]*([^)]*)\[[0-9]*\]' "$reports"/*.txt 2>/dev/null | sort | uniq | head -8 | sed 's/^/  failed: /'
grep -h -m3 'geomend CUDA emulator:' "$work/mvn.log" "$reports"/*-output.txt 2>/dev/null | head -3 | cut -c1-220 | sed 's/^/  /' || true
[ "$failed" -gt 0 ] && exit 0 || exit 1
