#!/usr/bin/env bash
# Side-by-side learning benchmark: DnasToolchain's engine vs PyTorch 1.13 training the same
# MobileNetV2 (width 0.35, 28x28 gray, 10 classes) on Fashion-MNIST with identical
# hyper-parameters, then test accuracy on the 10k test set.
#
#   bench/fashion-mnist.sh                        # 2 epochs over the 60k training images
#   LIMIT=2000 TEST_LIMIT=1000 bench/fashion-mnist.sh   # quick check on a subset
#
# Environment (defaults in brackets):
#   EPOCHS [2]  LIMIT [0 = all 60000 training images]  TEST_LIMIT [0 = all 10000 test images]
#   BATCH [64]  LR [0.02]  THREADS [2]  SEED [1]
#   DATA [/usr/share/datasets/fashion-mnist]   folder with the (gzipped) IDX files
#   IMPLS ["dnas torch"]   SKIP_BUILD=1 to reuse the Release build
#   PYTHON [/usr/bin/python3]  an interpreter with torch (Debian's python3-torch)
# Progress goes to standard error; the JSON lines and the accuracy difference to standard output.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
EPOCHS=${EPOCHS:-2}
LIMIT=${LIMIT:-0}
TEST_LIMIT=${TEST_LIMIT:-0}
BATCH=${BATCH:-64}
LR=${LR:-0.02}
THREADS=${THREADS:-2}
SEED=${SEED:-1}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
IMPLS=${IMPLS:-"dnas torch"}

DLL=bench/Dnas.Bench/bin/Release/net10.0/Dnas.Bench.dll
if [[ " $IMPLS " == *" dnas "* ]]; then
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "building bench/Dnas.Bench (Release)..." >&2
    dotnet build bench/Dnas.Bench/Dnas.Bench.csproj -c Release -nologo -v q >&2
  fi
  [[ -f "$DLL" ]] || { echo "error: $DLL not found; build it with: dotnet build bench/Dnas.Bench -c Release" >&2; exit 1; }
fi
if [[ " $IMPLS " == *" torch "* ]] && ! "$PYTHON" -c "import torch" 2>/dev/null; then
  echo "error: $PYTHON cannot import torch; install Debian's python3-torch (apt-get install python3-torch) or set PYTHON" >&2
  exit 1
fi
[[ -d "$DATA" ]] || { echo "error: $DATA does not exist; set DATA to the folder holding train-images-idx3-ubyte.gz etc." >&2; exit 1; }

# Identical hyper-parameters on both sides; everything else (momentum 0.9, no Nesterov,
# weight decay 4e-5 not on BN/bias, warm-up 1/10 epoch then cosine, mean 0.2860 / std 0.3530)
# is the two programs' shared default.
args=(--data "$DATA" --epochs "$EPOCHS" --limit "$LIMIT" --test-limit "$TEST_LIMIT" --batch "$BATCH"
      --lr "$LR" --threads "$THREADS" --seed "$SEED" --width 0.35 --momentum 0.9 --weight-decay 4e-5
      --warmup-epochs 0.1 --mean 0.2860 --std 0.3530)

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
declare -A acc
for impl in $IMPLS; do
  echo "== $impl ==" >&2
  case "$impl" in
    dnas) DNAS_THREADS=$THREADS dotnet "$DLL" fashion-mnist "${args[@]}" > "$OUT" ;;
    torch) GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184 OMP_NUM_THREADS=$THREADS \
             "$PYTHON" bench/pytorch/fashion_mnist.py "${args[@]}" > "$OUT" ;;
    *) echo "error: unknown implementation '$impl' in IMPLS" >&2; exit 1 ;;
  esac
  line=$(tail -n 1 "$OUT")
  echo "$line"
  acc[$impl]=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["test_acc"])' "$line")
done
if [[ -n "${acc[dnas]:-}" && -n "${acc[torch]:-}" ]]; then
  awk -v a="${acc[dnas]}" -v b="${acc[torch]}" 'BEGIN { printf "diff test_acc (dnas - torch): %.2f points\n", a - b }'
fi
