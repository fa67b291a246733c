#!/usr/bin/env bash
# One ONNX round trip through the fnn tool: train a small network on generated data, `fnn export`
# it, `fnn predict` the same rows, and have evaluate_onnx.py (python3-onnx + numpy, nothing of
# fnn's) evaluate the .onnx file and compare to 1e-5.
# usage: round_trip.sh FNN EVALUATE_ONNX_PY regression|classes [fnn train options...]
# Exit 0 pass, 1 fail, 77 (ctest's skip) when /usr/bin/python3 with onnx and numpy is missing,
# except under CI=true, where that fails.
set -euo pipefail

fnn=$(realpath "$1")
evaluator=$(realpath "$2")
task="$3"
shift 3

python=/usr/bin/python3
if [ ! -x "$python" ]; then
  if [ "${CI:-}" = true ]; then echo "round_trip: FAILED: $python is missing" >&2; exit 1; fi
  echo "round_trip: skipped: $python is missing"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# 60 rows of three inputs far from [0, 1] (so that scaling matters), deterministic.
awk -v task="$task" 'BEGIN {
  print (task == "classes") ? "a,b,c,label" : "a,b,c,y1,y2"
  for (i = 0; i < 60; i++) {
    a = (i * 37 % 60) / 6 - 3; b = (i * 11 % 60) / 3 + 10; c = (i * 53 % 60) / 30 - 1
    if (task == "classes") print a "," b "," c "," ((a > 0) + (c > 0))
    else print a "," b "," c "," (sin(a) + c) "," (0.1 * b - a * c)
  }
}' >data.csv
cut -d, -f1-3 data.csv >inputs.csv
targets=(--target y1,y2)
[ "$task" = classes ] && targets=(--target label --classes)

"$fnn" train --train data.csv "${targets[@]}" --epochs 30 --batch-size 8 --progress plain \
  --save model.fnn "$@" >train.log
plugin_dirs=()
for ((i = 1; i <= $#; i++)); do
  [ "${!i}" = --plugin-dir ] && { j=$((i + 1)); plugin_dirs+=(--plugin-dir "${!j}"); }
done
"$fnn" export --model model.fnn --onnx model.onnx "${plugin_dirs[@]}"
"$fnn" predict --model model.fnn --input inputs.csv --output predictions.csv "${plugin_dirs[@]}" \
  >/dev/null
"$python" "$evaluator" model.onnx inputs.csv predictions.csv 1e-5
