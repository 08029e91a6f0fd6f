#!/usr/bin/env bash
# Side-by-side training/inference throughput: DnasToolchain's engine vs PyTorch 1.13 (CPU),
# MobileNetV2 at three configurations, batch 32, 2 threads, 2 classes, synthetic data.
# Every measurement is its own process (so peak RSS is per configuration); implementations are
# interleaved round by round and the medians over rounds are reported.
#
#   bench/train-throughput.sh            # full run, about 5-8 minutes with fast kernels
#   QUICK=1 bench/train-throughput.sh    # smoke run: 1 round, 1+2 steps
#
# Environment (defaults in brackets):
#   ROUNDS [3]            rounds of (dnas, torch, torch-nchw) per configuration
#   WARMUP [8]            untimed training steps before the timed ones
#   INFER_WARMUP [2]      untimed inference passes before the timed ones
#   TRAIN_STEPS           timed training steps, all configurations [per configuration: 60, 100, 20]
#   INFER_STEPS           timed inference passes, all configurations [per configuration: 100, 150, 25]
#   THREADS [2]  BATCH [32]  CLASSES [2]
#   CONFIGS               space-separated width:res:channels list
#                         ["0.35:96:3 0.35:64:1 1.0:128:3"]
#   IMPLS ["dnas torch torch-nchw"]   which implementations to run
#   SKIP_BUILD=1          reuse the existing Release build of bench/Dnas.Bench
#   PYTHON [/usr/bin/python3]  an interpreter with torch (Debian's python3-torch)
# Raw per-process JSON lines go to bench/results/train-throughput-<time>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-2}
BATCH=${BATCH:-32}
CLASSES=${CLASSES:-2}
CONFIGS=${CONFIGS:-"0.35:96:3 0.35:64:1 1.0:128:3"}
IMPLS=${IMPLS:-"dnas torch torch-nchw"}
if [[ "${QUICK:-0}" == 1 ]]; then
  ROUNDS=${ROUNDS:-1}; WARMUP=${WARMUP:-1}; INFER_WARMUP=${INFER_WARMUP:-1}
  TRAIN_STEPS=${TRAIN_STEPS:-2}; INFER_STEPS=${INFER_STEPS:-2}
fi
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-8}
INFER_WARMUP=${INFER_WARMUP:-2}

# Default step counts per configuration: about 5 s of timed training and 2 s of timed inference
# each for PyTorch on 2 cores, so 3 rounds x 3 configurations x 3 implementations fit in minutes.
default_steps() { # width res channels -> "train infer"
  case "$1:$2:$3" in
    0.35:96:3) echo "60 100" ;;
    0.35:64:1) echo "100 150" ;;
    1.0:128:3) echo "20 25" ;;
    *) echo "20 40" ;;
  esac
}

DLL=bench/Dnas.Bench/bin/Release/net10.0/Dnas.Bench.dll
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building bench/Dnas.Bench (Release)..." >&2
  dotnet build bench/Dnas.Bench/Dnas.Bench.csproj -c Release -nologo -v q >&2
fi
[[ -f "$DLL" ]] || { echo "error: $DLL not found; build it with: dotnet build bench/Dnas.Bench -c Release" >&2; exit 1; }
if [[ " $IMPLS " == *" torch"* ]] && ! "$PYTHON" -c "import torch" 2>/dev/null; then
  echo "error: $PYTHON cannot import torch; install Debian's python3-torch (apt-get install python3-torch) or set PYTHON" >&2
  exit 1
fi

read -r load1 _ < /proc/loadavg
if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: 1-minute load average is $load1: other processes are running and will distort the numbers" >&2
fi

mkdir -p bench/results
RAW=bench/results/train-throughput-$(date +%Y%m%d-%H%M%S).jsonl
: > "$RAW"
ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT
# glibc keeps freed memory for reuse instead of unmapping it (PyTorch's recommended CPU setting).
GLIBC_TUNABLES_TORCH="glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184"

run_one() { # impl width res channels train_steps infer_steps
  local impl=$1 w=$2 r=$3 c=$4 ts=$5 is=$6
  local common=(--width "$w" --res "$r" --channels "$c" --batch "$BATCH" --classes "$CLASSES" --threads "$THREADS"
                --warmup "$WARMUP" --steps "$ts" --infer-warmup "$INFER_WARMUP" --infer-steps "$is")
  case "$impl" in
    dnas) DNAS_THREADS=$THREADS dotnet "$DLL" train-throughput "${common[@]}" ;;
    torch) GLIBC_TUNABLES=$GLIBC_TUNABLES_TORCH OMP_NUM_THREADS=$THREADS "$PYTHON" bench/pytorch/throughput.py "${common[@]}" --memory-format channels_last ;;
    torch-nchw) GLIBC_TUNABLES=$GLIBC_TUNABLES_TORCH OMP_NUM_THREADS=$THREADS "$PYTHON" bench/pytorch/throughput.py "${common[@]}" --memory-format nchw ;;
    *) echo "error: unknown implementation '$impl' in IMPLS" >&2; exit 1 ;;
  esac
}

read -r -a impls <<< "$IMPLS"
start=$SECONDS
for ((round = 0; round < ROUNDS; round++)); do
  # Rotate the order each round so no implementation always runs first (or after the same one).
  order=()
  for ((i = 0; i < ${#impls[@]}; i++)); do order+=("${impls[(i + round) % ${#impls[@]}]}"); done
  for cfg in $CONFIGS; do
    IFS=: read -r w r c <<< "$cfg"
    read -r ts is <<< "$(default_steps "$w" "$r" "$c")"
    ts=${TRAIN_STEPS:-$ts}; is=${INFER_STEPS:-$is}
    for impl in "${order[@]}"; do
      read -r load1 _ < /proc/loadavg
      echo "[round $((round + 1))/$ROUNDS, $((SECONDS - start)) s, load $load1] $impl mnv2 $w @ ${r}x${r}x$c: $ts train steps, $is inference passes" >&2
      if ! out=$(run_one "$impl" "$w" "$r" "$c" "$ts" "$is" 2>"$ERR"); then
        echo "error: $impl failed on mnv2 $w @ ${r}x${r}x$c; its output:" >&2
        cat "$ERR" >&2
        exit 1
      fi
      line=$(tail -n 1 <<< "$out")
      echo "  $line" >&2
      echo "$line" >> "$RAW"
    done
  done
done
echo "raw results: $RAW ($((SECONDS - start)) s)" >&2

"$PYTHON" - "$RAW" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["width"], r["res"], r["channels"], r["batch"]), {}).setdefault(r["impl"], []).append(r)
med = {}
for key, by_impl in groups.items():
    for impl in ("dnas", "torch", "torch-nchw"):
        if impl not in by_impl:
            continue
        rs = by_impl[impl]
        m = {k: round(statistics.median(r[k] for r in rs), 2) for k in ("train_img_s", "infer_img_s", "peak_rss_mb")}
        med[(key, impl)] = m
        w, res, ch, b = key
        print(json.dumps({"impl": impl, "width": w, "res": res, "channels": ch, "batch": b, **m, "rounds": len(rs)}))
ratios = []
for key in groups:
    w, res, ch, _ = key
    name = f"mnv2-{float(w)!r}-{res}-{'rgb' if ch == 3 else 'gray' if ch == 1 else str(ch) + 'ch'}"
    ours = med.get((key, "dnas"))
    theirs = [med[(key, i)] for i in ("torch", "torch-nchw") if (key, i) in med]
    if ours is None or not theirs:
        continue
    best = lambda k, f: f(t[k] for t in theirs)
    ratios.append(("train", name, ours["train_img_s"] / best("train_img_s", max)))
    ratios.append(("infer", name, ours["infer_img_s"] / best("infer_img_s", max)))
    ratios.append(("rss", name, ours["peak_rss_mb"] / best("peak_rss_mb", min)))
for kind in ("train", "infer", "rss"):
    for k, name, v in ratios:
        if k == kind:
            print(f"ratio {kind} {name}: {v:.2f}")
PY
