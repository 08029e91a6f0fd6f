#!/usr/bin/env bash
# The paper's claims, reproduced (issue 4):
#  1. data-aware vs hardware-aware search at equal budget and limits (nano33ble: 256 KB SRAM,
#     1 MB flash), on the synthetic set and on ../shared/data/vww96: the chosen systems, their
#     test accuracy, and both Pareto fronts in one plot per cost;
#  2. supernet vs --no-supernet at the same wall-clock budget on the synthetic set: the
#     no-supernet search gets the supernet run's training + search time.
# Runs go to runs/bench-* (reused when unchanged: the stage cache); plots to bench/results/.
#   DATASETS="synthetic"   only one data set        SKIP_BUILD=1   reuse the last build
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
DATASETS="${DATASETS:-synthetic vww96}"
[ "${SKIP_BUILD:-0}" = 1 ] || dotnet build DnasToolchain.sln -c Release -v q -nologo >/dev/null
dnas() { dotnet src/Dnas.Cli/bin/Release/net10.0/Dnas.Cli.dll "$@"; }
bench() { dotnet bench/Dnas.Bench/bin/Release/net10.0/Dnas.Bench.dll "$@"; }
mkdir -p bench/results runs
stamp=$(date +%Y%m%d-%H%M%S)
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

for ds in $DATASETS; do
  for mode in data-aware hardware-aware; do
    echo "== $ds $mode" >&2
    dnas run -c "bench/configs/$ds-$mode.yaml" --resume >&2
  done
  bench compare-runs --configs "bench/configs/$ds-data-aware.yaml,bench/configs/$ds-hardware-aware.yaml" \
    --labels data-aware,hardware-aware --svg "bench/results/$ds-fronts-$stamp.svg"
done

# Supernet vs --no-supernet: the same search settings, the wall-clock budget of the supernet
# run (supernet training + search) as the no-supernet search's time limit.
run=runs/bench-synthetic-data-aware
minutes=$(python3 -c "import json; s = lambda f: json.load(open('$run/' + f))['seconds']; print(round((s('supernet.json') + s('search.json')) / 60, 3))")
echo "== synthetic --no-supernet, time budget $minutes min" >&2
sed -e "s/^  generations: .*/  generations: 1000\n  time_budget_minutes: $minutes/" \
    -e "s|^output: .*|output: bench-synthetic-no-supernet|" bench/configs/synthetic-data-aware.yaml > runs/bench-no-supernet.yaml
dnas run -c runs/bench-no-supernet.yaml --no-supernet --resume >&2
bench compare-runs --configs bench/configs/synthetic-data-aware.yaml,runs/bench-no-supernet.yaml \
  --labels supernet,no-supernet --svg "bench/results/supernet-vs-scratch-$stamp.svg"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
