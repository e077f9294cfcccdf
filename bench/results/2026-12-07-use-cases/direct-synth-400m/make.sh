#!/usr/bin/env bash
# How direct-synth-400m was made (2026-12-07, the 2-core machine, Java backend, shared with other jobs): the Direct
# student (trained on the ground truth, not the teacher's labels) with the shipped DeepMEND student's data, network
# and budget (models/deepmend-synth-400m: 2 epochs kept there, 2 here), so the two differ only in their labels.
# Run from an empty work directory with GEOMEND pointing at ./geomend.
set -euo pipefail
G=${GEOMEND:-geomend}
[ -f paper1/manifest.json ] || $G synth --preset paper --seed 1 --out paper1   # 4 min 26 s, 4.3 GiB peak RSS
# --max-sites 2796: as many BSs as the teacher labelled for the DeepMEND student (there every second BS with a
# ground-truth map, here the first 2,796 in sites.csv order: cities 1-3 whole and 333 BSs of city 4, so Direct saw
# 4 of the 14 cities where DeepMEND saw all 14)
$G train --dataset paper1 --labels ground-truth --out direct1 --epochs 2 --batch 8 --lr 1e-4 --seed 1 \
  --keep best --user-weight 1 --window 150 --resolution 400 --filters 16 --max-sites 2796 --backend java --threads 2 --resume
# kept: direct1/{config.json,model.safetensors,train.csv,train.png}
