#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for DnasToolchain, then restores NuGet packages.
#   bash scripts/setup.sh run     what `dnas` needs to run (libturbojpeg for JPEG data)
#   bash scripts/setup.sh test    that, plus what the test suite needs (default)
#   bash scripts/setup.sh bench   that, plus PyTorch (Debian python3-torch) and Fashion-MNIST for the benchmarks
# Packages already present are not reinstalled, so a second run takes seconds.
set -euo pipefail
profile="${1:-test}"
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

apt_packages=()
case "$profile" in
  # libturbojpeg0: JPEG decoding (TurboJPEG, also needed at run time); netpbm, libjpeg-turbo-progs and
  # python3-pil: the image decoder cross-checks (pnmtopng, ppmtobmp, cjpeg/djpeg, Pillow).
  # gcc, g++, gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm: the firmware proofs (host C with
  # ASan/UBSan, the TFLM drop-in syntax check, the Cortex-M4 build run under qemu-system-arm -M mps2-an386);
  # make: examples/person-detector builds its Cortex-M4 image with the board's Makefile.
  run) apt_packages+=(libturbojpeg0) ;;
  test) apt_packages+=(libturbojpeg0 netpbm libjpeg-turbo-progs python3-pil gcc g++ make gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm) ;;
  bench) apt_packages+=(libturbojpeg0 netpbm libjpeg-turbo-progs python3-pil gcc g++ make gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm python3-torch python3-numpy dataset-fashion-mnist python3-pyarmnn libarmnn-cpuref-backend22 bc) ;;
  *) echo "setup.sh: unknown profile '$profile' (use: run | test | bench)" >&2; exit 2 ;;
esac
# Node 20+ with npm for the LiteRT runner (tests/litert), from apt when the machine has no npm:
# the apt source here serves NodeSource's nodejs 20, which bundles npm (Debian's own npm package
# would conflict with it).
if [ "$profile" != run ] && ! command -v npm >/dev/null 2>&1; then
  apt_packages+=(nodejs)
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup.sh: the .NET 10 SDK is required (dotnet not on PATH)" >&2
  exit 1
fi
dotnet restore DnasToolchain.sln --verbosity quiet

# LiteRT.js (npm @litertjs/core, pinned by tests/litert/package-lock.json) for the LiteRt tests:
# `npm ci` only when node_modules is missing or the lock file changed since the last install.
if [ "$profile" != run ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup.sh: npm is still missing after installing nodejs; the LiteRt tests need Node 20+ with npm" >&2
    exit 1
  fi
  lock_hash="$(sha256sum tests/litert/package-lock.json | cut -d' ' -f1)"
  stamp=tests/litert/node_modules/.dnas-lock-sha256
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
    echo "setup.sh: npm ci in tests/litert"
    (cd tests/litert && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$lock_hash" > "$stamp"
  fi
fi
echo "setup.sh: ready ($profile)"
