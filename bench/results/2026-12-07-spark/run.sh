#!/usr/bin/env bash
# Issue 17 benchmarks: each Spark job in local mode against the single-machine command on the same data, same
# machine, one after the other (wall time and peak RSS from /usr/bin/time; the jobs print their stages).
# Usage: bench/results/2026-12-07-spark/run.sh WORKDIR   (after ./build.sh; needs ../shared/data)
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
w=${1:?work directory}
mkdir -p "$w"
g="$here/geomend"
data="$here/../shared/data"
export SPARK_LOCAL_IP=127.0.0.1 GEOMEND_NO_PROGRESS=1
t() { local name=$1; shift; echo "== $name: $*" >&2; /usr/bin/time -f "== $name: wall %e s, peak RSS %M KiB" "$@"; }

# NBL: Cork x10 as 10 files (the same rows ten times with prefixed record ids)
if [ ! -f "$w/cork/c9.csv" ]; then
  mkdir -p "$w/cork"
  "$g" nbl import --from cork --out "$w/cork.csv" "$data/measurements/uccmisl-cork-5g-production.zip"
  for i in 0 1 2 3 4 5 6 7 8 9; do
    awk -F, -v p="x$i-" 'NR==1{print;next}{OFS=",";$1=p $1;print}' "$w/cork.csv" > "$w/cork/c$i.csv"
  done
fi
rm -rf "$w/nbl-spark" "$w/est-spark" "$w/single.nbl" "$w/est-single"
mkdir -p "$w/est-single"
t nbl-build-single "$g" nbl build --zoom 19 --measurements "$w"/cork/c*.csv --out "$w/single.nbl"
t nbl-build-spark "$g" spark nbl-build --master 'local[2]' --zoom 19 --measurements "$w/cork" --out "$w/nbl-spark"
cmp "$w/single.nbl" "$w/nbl-spark/map.nbl" && echo "== nbl-build: map.nbl identical to nbl build's" >&2 || echo "== nbl-build: map.nbl differs from nbl build's (threads > 1: Chan merges in another order)" >&2
t nbl-build-single-1thread "$g" nbl build --threads 1 --zoom 19 --measurements "$w"/cork/c*.csv --out "$w/single1.nbl"
cmp "$w/single1.nbl" "$w/nbl-spark/map.nbl" && echo "== nbl-build: map.nbl identical to nbl build --threads 1's" >&2
t nbl-locate-single bash -c "for f in $w/cork/c*.csv; do $g nbl locate --backend java --map $w/single.nbl --records \$f --out $w/est-single/\$(basename \$f); done"
{ cat "$w/cork/c0.csv"; for i in 1 2 3 4 5 6 7 8 9; do tail -n +2 "$w/cork/c$i.csv"; done; } > "$w/cork-all.csv"
t nbl-locate-single-all "$g" nbl locate --backend java --map "$w/single.nbl" --records "$w/cork-all.csv" --out "$w/est-single-all.csv"
t nbl-locate-spark "$g" spark nbl-locate --master 'local[2]' --backend java --map "$w/nbl-spark" --records "$w/cork" --out "$w/est-spark"
for i in 0 1 2 3 4 5 6 7 8 9; do cmp "$w/est-single/c$i.csv" "$w/est-spark/part-0000$i.csv"; done && echo "== nbl-locate: all 10 parts identical to nbl locate's" >&2

# geolocate and traffic: France Orange, Voronoi
sites="$data/sites/arcep-2018-01-sites-france-l93.csv"
rm -rf "$w/fr-spark" "$w/fr.arrow" "$w/tr-spark" "$w/tr.npy" "$w/tr.npy.json"
t geolocate-single "$g" geolocate --backend java --sites "$sites" --operator 20801 --method voronoi --sparse --out "$w/fr.arrow"
t geolocate-spark "$g" spark geolocate --master 'local[2]' --backend java --sites "$sites" --operator 20801 --method voronoi --out "$w/fr-spark"
# 24 hourly steps per Orange row (ids: ARCEP data row numbers), the README's generator
awk -F';' 'BEGIN{print "id,time,value"}NR>1&&$1=="20801"{for(h=0;h<24;h++)printf "%d,%02d,%.3f\n",NR-1,h,(1+((NR-1)%7))*(60+50*sin((h-6)*3.14159265/12))}' "$sites" > "$w/kpi.csv"
t traffic-single "$g" traffic --backend java --sites "$sites" --operator 20801 --method voronoi --kpi "$w/kpi.csv" --skip-unknown --maps "$w/fr.arrow" --format npy --out "$w/tr.npy"
rm -f "$w/tr.npy"  # 12 GiB; the totals stay in tr.npy.json
t traffic-spark "$g" spark traffic --master 'local[2]' --maps "$w/fr-spark" --kpi "$w/kpi.csv" --skip-unknown --out "$w/tr-spark"
