#!/usr/bin/env bash
# Goal 3, per-map path: geolocate --method spdi (beta 2, k 5) on 60 windows of a 900-site clustered inventory,
# JVM start and NPY writing included, for the baseline build (main) and this branch, and the numpy + scipy float64
# reference, in one run; then the outputs compared. Usage: e2e.sh BASE_REPO NEW_REPO WORK_DIR
set -euo pipefail
base=$1 new=$2 work=$3 here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
inv=$work/inv900.csv
python3 "$here/spdi_numpy.py" --inventory "$inv" 900 7
ids=$(python3 -c "print(','.join('s%d' % i for i in range(0, 900, 15)))")
t() { local s=$(date +%s.%N); "$@" > /dev/null 2>"$work/last.err" || { cat "$work/last.err"; exit 1; }; python3 -c "print('%.2f' % ($(date +%s.%N) - $s))"; }
for round in 1 2; do
  for which in base new; do
    repo=$base; [ $which = new ] && repo=$new
    rm -rf "$work/$which"
    echo "$which $round geolocate wall s: $(t nice -n 5 "$repo/geomend" geolocate --sites "$inv" --ids "$ids" --method spdi \
      --beta 2 --format npy --out "$work/$which" --threads 2 --backend java)"
  done
  rm -rf "$work/numpy"
  echo "numpy $round wall s: $(t nice -n 5 python3 "$here/spdi_numpy.py" "$inv" "$ids" "$work/numpy")"
done
python3 - "$work" <<'PY'
import sys, os, numpy as np
w = sys.argv[1]
names = sorted(f for f in os.listdir(w + "/numpy") if f.endswith(".npy"))
ident = same_bytes = 0; maxd = 0.0; ndiff = 0; l1max = 0.0
for f in names:
    b = np.load(f"{w}/base/{f}"); n = np.load(f"{w}/new/{f}"); r = np.load(f"{w}/numpy/{f}")
    same_bytes += open(f"{w}/base/{f}", "rb").read() == open(f"{w}/new/{f}", "rb").read()
    ident += np.array_equal(b, n); ndiff += int((b != n).sum()); maxd = max(maxd, float(np.abs(b.astype(float) - n).max()))
    l1max = max(l1max, float(np.abs(r.astype(float) - n).sum()))
print(f"{len(names)} maps: new vs base byte-identical files {same_bytes}, pixel-identical maps {ident}, "
      f"differing pixels {ndiff} of {len(names) * 360000}, max |diff| {maxd:.3g}; numpy vs new max L1 {l1max:.3g}")
PY
