#!/usr/bin/env bash
# Builds (when stale) and runs bench/fann_mlp.c, FANN's peer of config A; installs libfann-dev
# (and a C compiler, zlib) with apt-get when missing. Arguments go to the program:
#   bench/fann.sh [--epochs 1] [--seed 1] [--data DIR]
# The binary goes to $FNN_BUILD_DIR/bin (default build/release/bin).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${FNN_BUILD_DIR:-$here/../build/release}"
"$here/ensure-packages.sh" libfann-dev zlib1g-dev gcc
binary="$build_dir/bin/fnn_bench_fann"
if [ ! -x "$binary" ] || [ "$here/fann_mlp.c" -nt "$binary" ]; then
  mkdir -p "$build_dir/bin"
  cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -o "$binary" "$here/fann_mlp.c" \
     -lfloatfann -lz -lm
fi
exec "$binary" "$@"
