#!/usr/bin/env bash
# fnn vs PyTorch (and FANN for config A) on Fashion-MNIST, one command:
#   bench/compare.sh [--runs 3] [--threads 2] [--epochs 5] [--configs A,B] [--samples N] ...
# Installs what the peers need when missing (python3-torch, python3-numpy, libfann-dev, GNU time,
# the data set), builds fnn and the sgemm bound (cmake --preset release; --no-build skips that),
# then runs bench/compare.py with the remaining arguments (bench/compare.sh --help lists them).
# FNN_BENCH_ARGS adds arguments too (for the CMake target bench-compare). Ends with one line per
# config: RESULT config=A fnn_s=... torch_s=... ratio=... bound_s=... ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
export FNN_BUILD_DIR="${FNN_BUILD_DIR:-$root/build/release}"

build=1
args=()
# shellcheck disable=SC2206  # FNN_BENCH_ARGS is split into words on purpose
extra=(${FNN_BENCH_ARGS:-})
for argument in "${extra[@]}" "$@"; do
  case "$argument" in
    --no-build) build=0 ;;
    -h|--help) exec /usr/bin/python3 "$here/compare.py" --help ;;
    *) args+=("$argument") ;;
  esac
done

"$here/ensure-packages.sh" python3-torch python3-numpy libfann-dev zlib1g-dev gcc time
if [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  "$here/ensure-packages.sh" dataset-fashion-mnist
fi
if [ "$build" = 1 ]; then
  cd "$root"
  if [ ! -e "$FNN_BUILD_DIR/CMakeCache.txt" ]; then
    if [ "$FNN_BUILD_DIR" = "$root/build/release" ]; then
      cmake --preset release
    else
      cmake -S "$root" -B "$FNN_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
    fi
  fi
  cmake --build "$FNN_BUILD_DIR" --target fnn_cli fnn_bench_sgemm_bound fnn_bench_core_latency -j 2
fi
exec /usr/bin/python3 "$here/compare.py" "${args[@]}"
