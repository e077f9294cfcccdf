#!/usr/bin/env bash
# How models/deepmend-synth-400m was made (2026-12-07, the 2-core CI-class machine, Java backend).
# Run from an empty work directory with GEOMEND pointing at ./geomend; resumable (train --resume).
set -euo pipefail
G=${GEOMEND:-geomend}
[ -f paper1/manifest.json ] || $G synth --preset paper --seed 1 --out paper1          # 10,189 sites, 5,591 ground-truth maps
if [ ! -f teacher1/manifest.json ]; then
  # the teacher on every second BS with a ground-truth map (sites.csv order): 2,796 BSs, all 14 cities and classes
  ids=$(awk -F, 'NR>1 && $NF==1 {print $1}' paper1/sites.csv | awk 'NR%2==1' | paste -sd,)
  $G teacher --dataset paper1 --ids "$ids" --sparse --backend java --threads 2 --out teacher1
fi
$G train --dataset paper1 --labels teacher:teacher1 --out model1 --epochs "${EPOCHS:-30}" --batch 8 --lr 1e-4 --seed 1 \
  --keep best --user-weight 1 --window 150 --resolution 400 --filters 16 --backend java --threads 2 --resume
# shipped: model1/{config.json,model.safetensors,train.csv,train.png}
