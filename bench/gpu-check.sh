#!/usr/bin/env bash
# The one-shot GPU check of the U-Net kernels (issue 5), for a GPU machine without Maven or network:
#   bench/gpu-check.sh JAVA BENCH_JAR [OUT_DIR]
#     JAVA       a java 25 binary (a jlink runtime is fine), or $GEOMEND_JAVA
#     BENCH_JAR  the shaded bench/target/geomend-bench.jar (it carries bindings + geomend.fatbin), or $GEOMEND_BENCH_JAR
#     OUT_DIR    where everything goes (default $OUT, else ./gpu-check-out)
#   optional: PYTHON (default python3, with torch), GEOMEND_CUDNN_LIB (else taken from the python's nvidia-cudnn wheel
#   or torch/lib when they hold libcudnn.so.9), GEOMEND_CUDA_DEVICE (default 0), STEPS (default 3).
# Runs: the conformance of every CUDA and cuDNN U-Net operation against the float64 reference, the U-Net training
# step / inference timings of geomend (cuda, cudnn) and of PyTorch on the same device (TF32 off), and writes
# OUT_DIR/report.md (device, date, every op's error, timings side by side) plus the raw outputs. Budget: < 5 min.
# Exit status: that of the Java check (0 all ok, 1 a comparison failed, 3 no backend started), or 2 on bad usage.
set -uo pipefail
JAVA=${1:-${GEOMEND_JAVA:-}}
JAR=${2:-${GEOMEND_BENCH_JAR:-}}
OUTDIR=${3:-${OUT:-./gpu-check-out}}
PYTHON=${PYTHON:-python3}
STEPS=${STEPS:-3}
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
if [ -z "$JAVA" ] || [ -z "$JAR" ]; then sed -n '2,13p' "$0" >&2; exit 2; fi
[ -x "$JAVA" ] || { echo "gpu-check: $JAVA is not executable" >&2; exit 2; }
[ -f "$JAR" ] || { echo "gpu-check: $JAR not found" >&2; exit 2; }
mkdir -p "$OUTDIR"

have_python=0
if command -v "$PYTHON" >/dev/null 2>&1 && "$PYTHON" -c "import torch" >/dev/null 2>&1; then have_python=1; fi
if [ -z "${GEOMEND_CUDNN_LIB:-}" ] && [ $have_python = 1 ]; then
  for d in $("$PYTHON" - <<'PY' 2>/dev/null
import os
try:
    import nvidia.cudnn as c
    print(os.path.join(list(c.__path__)[0], "lib"))
except Exception:
    pass
import torch
print(os.path.join(os.path.dirname(torch.__file__), "lib"))
PY
  ); do
    if [ -f "$d/libcudnn.so.9" ]; then export GEOMEND_CUDNN_LIB="$d/libcudnn.so.9"; break; fi
  done
fi

flags=(--add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx4g)
if "$JAVA" --list-modules 2>/dev/null | grep -q '^jdk.incubator.vector'; then flags+=(--add-modules=jdk.incubator.vector); fi

{
  echo "# GPU check of the U-Net kernels"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- device: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || echo unknown)"
  echo "- java: $("$JAVA" -version 2>&1 | head -1)"
  echo "- cuDNN library: ${GEOMEND_CUDNN_LIB:-(default search)}"
  echo "- commands: \`$JAVA ... -cp $(basename "$JAR") org.geomend.bench.nn.NnGpuCheck --steps $STEPS\`; \`$PYTHON bench/pytorch_unet.py --steps $STEPS\`"
  echo
} > "$OUTDIR/report.md.tmp"

start=$(date +%s)
timeout 200 "$JAVA" "${flags[@]}" -cp "$JAR" org.geomend.bench.nn.NnGpuCheck --out "$OUTDIR/geomend-nn.md" --steps "$STEPS" \
  > "$OUTDIR/geomend-nn.jsonl" 2> "$OUTDIR/geomend-nn.stderr"
status=$?
echo "gpu-check: java check exit $status after $(( $(date +%s) - start )) s" >&2
if [ -f "$OUTDIR/geomend-nn.md" ]; then sed 's/^# /## /; s/^## backend/### backend/' "$OUTDIR/geomend-nn.md" >> "$OUTDIR/report.md.tmp"
else { echo "The Java check wrote no report (exit $status); its stderr:"; echo; sed 's/^/    /' "$OUTDIR/geomend-nn.stderr" | tail -30; echo; } >> "$OUTDIR/report.md.tmp"; fi

if [ $have_python = 1 ]; then
  timeout 150 "$PYTHON" "$here/pytorch_unet.py" --steps "$STEPS" > "$OUTDIR/pytorch.jsonl" 2> "$OUTDIR/pytorch.stderr"
  echo "gpu-check: pytorch exit $? after $(( $(date +%s) - start )) s" >&2
  "$PYTHON" - "$OUTDIR/geomend-nn.jsonl" "$OUTDIR/pytorch.jsonl" >> "$OUTDIR/report.md.tmp" <<'PY'
import json, sys
rows = []
for path in sys.argv[1:]:
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
print("## U-Net timings, same device (FP32, TF32 off)\n")
print("| implementation | config | parameters | training step ms | inference ms / batch | ms / map |")
print("|---|---|---|---|---|---|")
for r in rows:
    print("| %s | %s | %s | %.2f | %.2f | %.3f |" % (r["impl"], r["config"], r.get("parameters", ""), r["train_step_ms"],
                                                   r["inference_batch_ms"], r["inference_ms_per_map"]))
print()
PY
else
  echo "No PyTorch here ($PYTHON cannot import torch): no comparison." >> "$OUTDIR/report.md.tmp"
fi
mv "$OUTDIR/report.md.tmp" "$OUTDIR/report.md"
echo "gpu-check: wrote $OUTDIR/report.md" >&2
exit $status
