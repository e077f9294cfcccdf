#!/usr/bin/env bash
# Goal 3, France Orange: geolocate --operator 20801 --method spdi --beta 2 --sparse (default drop mass), baseline
# build then this branch, one run; then the two Arrow files compared (bytes, then pixels with bench MapCompare).
# Usage: france.sh BASE_REPO NEW_REPO WORK_DIR
set -euo pipefail
base=$1 new=$2 work=$3
sites=/work/shared/data/sites/arcep-2018-01-sites-france-l93.csv
mkdir -p "$work"
for which in base new; do
  repo=$base; [ $which = new ] && repo=$new
  rm -f "$work/$which.arrow"
  /usr/bin/time -f "$which: %e s wall, %M KiB peak RSS" nice -n 5 "$repo/geomend" geolocate --sites "$sites" \
    --operator 20801 --method spdi --beta 2 --out "$work/$which.arrow" --sparse --backend java --threads 2 \
    2> "$work/$which.err"
  grep -v '^WARNING' "$work/$which.err" | tail -3
  ls -l "$work/$which.arrow"
done
if cmp -s "$work/base.arrow" "$work/new.arrow"; then echo "Arrow files byte-identical"; else echo "Arrow files differ in bytes"; fi
"${JAVA:-java}" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$new/bench/target/geomend-bench.jar" org.geomend.bench.MapCompare \
  "$work/base.arrow" "$work/new.arrow" || true
