#!/usr/bin/env bash
# Firmware benchmark: the generated C engine for the shared reference models
# (person_detect.tflite, vww_96_int8.tflite) -- arena vs TFLM's, host time per inference
# (-O2, one core, CPU time), Cortex-M4 flash/RAM (arm-none-eabi-size) and instructions per
# inference under QEMU mps2-an386 (-icount shift=0: one instruction per virtual ns; the board's
# 25 MHz timer ticks once every 40 instructions).
#   bash bench/firmware.sh            RUNS=200 host repetitions by default
# Needs: the .NET SDK, gcc, gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm
# (bash scripts/setup.sh test installs them) and ../shared/models.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
models="$repo/../shared/models"
runs="${RUNS:-200}"
[ -d "$models" ] || { echo "firmware.sh: SHARED ASSET MISSING: $models" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${SKIP_BUILD:-0}" != 1 ]; then dotnet build src/Dnas.Cli/Dnas.Cli.csproj -c Release --nologo -v q >/dev/null; fi
dnas="dotnet $repo/src/Dnas.Cli/bin/Release/net10.0/Dnas.Cli.dll"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (host times are CPU time, robust to load, not to cache contention)"
printf '%-22s %10s %10s %8s %12s %12s %10s %14s\n' model arena TFLM-arena ratio host-ms/inf M4-flash M4-RAM M4-instr/inf

for entry in "person_detect.tflite person_detect 85024" "vww_96_int8.tflite vww 103392"; do
  set -- $entry
  file=$1 name=$2 tflm=$3
  out="$work/$name"
  $dnas firmware --from-tflite "$models/$file" --out "$out" --name "$name" --labels no_person,person > "$work/$name.log"
  guard=$(echo "$name" | tr a-z A-Z)
  printf '#include "%s_model.h"\n#define DNAS_MODEL %s\n#define DNAS_MODEL_GUARD %s\n' "$name" "$name" "$guard" > "$out/engine_config.h"
  size=$(grep -o "#define ${guard}_INPUT_SIZE [0-9]*" "$out/${name}_model.h" | awk '{print $3}')
  # One deterministic input (a gradient with a fixed pseudo-random texture).
  python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.buffer.write(bytes(((i * 7 + (i * i) % 13) % 256) for i in range(n)))" "$size" > "$out/input.bin"
  gcc -std=c99 -Wall -Wextra -Werror -O2 -I "$out" firmware/host/engine_main.c "$out/${name}_model.c" "$out/dnas_kernels.c" -o "$out/engine"
  host=$("$out/engine" "$out/input.bin" -b "$runs" 2>&1 >/dev/null | grep -o '[0-9.]* ms' | awk '{print $1}')
  python3 -c "import sys; d=open(sys.argv[1],'rb').read(); print('#include <stdint.h>\nconst int32_t dnas_test_count = 1;\nconst int8_t dnas_test_inputs[] = {' + ','.join(str(b - 256 if b > 127 else b) for b in d) + '};')" "$out/input.bin" > "$out/testdata.c"
  make -s -C firmware/boards/mps2-an386 SOURCES="$repo/firmware/boards/mps2-an386/engine_main.c $out/${name}_model.c $out/testdata.c" INCLUDES="-I $out" OUT="$out/m4.elf"
  ticks=$(timeout 300 qemu-system-arm -M mps2-an386 -nographic -semihosting -icount shift=0 -kernel "$out/m4.elf" 2>&1 | awk '/^ticks/ {print $2}')
  read -r text data bss < <(arm-none-eabi-gcc -std=c99 -O2 -mcpu=cortex-m4 -mthumb -I "$out" -c "$out/${name}_model.c" -o "$out/model.o" &&
    arm-none-eabi-gcc -std=c99 -O2 -mcpu=cortex-m4 -mthumb -I "$out" -c "$out/dnas_kernels.c" -o "$out/kernels.o" &&
    arm-none-eabi-size -t "$out/model.o" "$out/kernels.o" | awk '/TOTALS/ {print $1, $2, $3}')
  arena=$(grep -o "#define ${guard}_ARENA_SIZE [0-9]*" "$out/${name}_model.h" | awk '{print $3}')
  printf '%-22s %10d %10d %7.1f%% %12s %12d %10d %14d\n' "$file" "$arena" "$tflm" "$(echo "100 * $arena / $tflm" | bc -l)" "$host" \
    $((text + data)) $((data + bss)) $((ticks * 40))
done
echo "arena: the C engine's static activation arena; TFLM-arena: TFLM reference interpreter on a 64-bit host (TFLITE.md)."
echo "M4-flash = text + data and M4-RAM = data + bss of the engine (model + kernels; arena and scratch are bss), arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb."
