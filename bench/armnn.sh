#!/usr/bin/env bash
# Arm NN 20.08 (Debian, CpuRef backend) as a second opinion on int8 .tflite files: our exported
# small MobileNetV2s (plus runs/default/model.tflite and ../shared/models/vww_96_int8.tflite
# when present) run on the same seeded int8 inputs by our Int8Interpreter and by Arm NN.
# Per model: whether Arm NN loads it (its error if not), images, argmax agreement, max |diff|
# in LSB and how many output values are within 2 LSB. A benchmark, not a CI test.
#   usage: bash bench/armnn.sh [WORK_DIR]   (default /tmp/dnas-armnn; COUNT=64 images per model)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/dnas-armnn}"
count="${COUNT:-64}"

missing=()
for p in python3-pyarmnn libarmnn-cpuref-backend22; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "armnn.sh: missing Debian packages: ${missing[*]}" >&2
  echo "  apt-get install -y ${missing[*]}   (or: bash scripts/setup.sh bench)" >&2
  exit 1
fi

dotnet build bench/Dnas.Bench -c Release -v quiet -nologo >&2
bench=(dotnet bench/Dnas.Bench/bin/Release/net10.0/Dnas.Bench.dll)
mkdir -p "$work"
"${bench[@]}" armnn-models --out "$work/models" >&2

models=()
models+=("$work"/models/*.tflite)
[[ -f runs/default/model.tflite ]] && models+=(runs/default/model.tflite)
[[ -f ../shared/models/vww_96_int8.tflite ]] && models+=(../shared/models/vww_96_int8.tflite)

printf '| model | Arm NN loads | images | argmax agree | max diff (LSB) | values within 2 LSB |\n|---|---|---|---|---|---|\n'
errors=()
for m in "${models[@]}"; do
  name=$(basename "$m" .tflite)
  [[ "$m" == runs/default/* ]] && name="runs/default/model"
  base="$work/$(echo "$name" | tr / _)"
  "${bench[@]}" int8-inputs --model "$m" --out "$base.in" --count "$count" --seed 1 >&2
  "${bench[@]}" int8-outputs --model "$m" --inputs "$base.in" --out "$base.ours" >&2
  rc=0
  /usr/bin/python3 bench/armnn/run_armnn.py "$m" "$base.in" "$base.armnn" 2> "$base.err" >&2 || rc=$?
  if ((rc == 3)); then
    printf '| %s | no (see below) | %s | - | - | - |\n' "$name" "$count"
    errors+=("$name: $(grep '^ARMNN ERROR:' "$base.err")")
    continue
  elif ((rc != 0)); then
    cat "$base.err" >&2; exit 1
  fi
  # Both files are N outputs of the same size back to back: compare per image.
  /usr/bin/python3 - "$base.in" "$base.ours" "$base.armnn" "$count" "$name" <<'EOF'
import sys
import numpy as np
_, _, ours_path, armnn_path, count, name = sys.argv
ours = np.fromfile(ours_path, dtype=np.int8).astype(np.int32).reshape(int(count), -1)
theirs = np.fromfile(armnn_path, dtype=np.int8).astype(np.int32).reshape(int(count), -1)
diff = np.abs(ours - theirs)
agree = int((ours.argmax(1) == theirs.argmax(1)).sum())
print(f"| {name} | yes | {ours.shape[0]} | {agree}/{ours.shape[0]} | {diff.max()} | {int((diff <= 2).sum())}/{diff.size} |")
EOF
done
for e in "${errors[@]}"; do echo "- $e"; done
