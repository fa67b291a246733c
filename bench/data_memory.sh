#!/usr/bin/env bash
# Peak memory (ru_maxrss, from /usr/bin/time -f %M) of fnn convert, fnn train (one epoch,
# 784-64-10) and fnn predict on Fashion-MNIST repeated to a few sizes of float data: does memory
# stay flat as the data grows? For each size the training images (IDX gz) are written as CSV,
# their rows repeated until the inputs and labels hold that many bytes as floats (785 floats a
# row), converted to a store, trained on, used as the --validation store of a run that trains on
# the 10,000 test images ("validate"), and predicted from.
#
#   bench/data_memory.sh [--sizes 0.2,1,4] [--fnn build/release/bin/fnn] [--work DIR]
#                        [--data /usr/share/datasets/fashion-mnist] [--keep]
#
# Sizes are in GB (10^9 bytes) of float data. The big files go to --work (default a fresh
# directory under /tmp) and are removed at the end unless --keep. Prints one table row per size.
set -euo pipefail

sizes="0.2,1,4"
fnn="build/release/bin/fnn"
work=""
data="/usr/share/datasets/fashion-mnist"
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --fnn) fnn="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "data_memory.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x "$fnn" ]] || { echo "data_memory.sh: no fnn at '$fnn' (build it, or give --fnn)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "data_memory.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[[ -f "$data/train-images-idx3-ubyte.gz" ]] || { echo "data_memory.sh: no Fashion-MNIST in '$data'" >&2; exit 2; }
if [[ -z "$work" ]]; then work="$(mktemp -d /tmp/fnn-data-memory.XXXXXX)"; fi
mkdir -p "$work"
[[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT

# Peak resident memory of a command in MB; its output goes to $work/log.
peak_mb() {
  /usr/bin/time -f %M -o "$work/rss" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  echo $(( $(tail -n 1 "$work/rss") / 1024 ))
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
# The training set of the "validate" column: the 10,000 test images, validated on the big store.
"$fnn" convert "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" \
  --output "$work/small.fnnd" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
printf '%-8s %-10s %-11s %-11s %-11s %-11s %-11s\n' "GB" "rows" "CSV MB" "convert MB" "train MB" \
  "validate MB" "predict MB"
IFS=, read -ra wanted <<<"$sizes"
for size in "${wanted[@]}"; do
  rows=$(python3 -c "print(int(float('$size') * 1e9 / (785 * 4)))")
  python3 - "$data" "$rows" "$work/data.csv" <<'PY'
import gzip, sys
data, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with gzip.open(f"{data}/train-images-idx3-ubyte.gz") as f:
    images = f.read()[16:]
with gzip.open(f"{data}/train-labels-idx1-ubyte.gz") as f:
    labels = f.read()[8:]
lines = [",".join(map(str, images[i * 784:(i + 1) * 784])) + f",{labels[i]}\n"
         for i in range(len(labels))]
with open(out, "w") as csv:
    csv.write(",".join(f"p{i}" for i in range(784)) + ",label\n")
    whole = "".join(lines)
    for _ in range(rows // len(lines)):
        csv.write(whole)
    csv.write("".join(lines[:rows % len(lines)]))
PY
  csv_mb=$(( $(stat -c %s "$work/data.csv") / 1000000 ))
  convert=$(peak_mb "$fnn" convert "$work/data.csv" --target label --classes --output "$work/data.fnnd")
  rm -f "$work/data.csv"
  train=$(peak_mb "$fnn" train --train "$work/data.fnnd" --classes --hidden 64 --epochs 1 \
    --loss cross_entropy --output-activation softmax --batch-size 64 --progress plain \
    --save "$work/model.fnn")
  validate=$(peak_mb "$fnn" train --train "$work/small.fnnd" --hidden 64 --epochs 1 \
    --loss cross_entropy --output-activation softmax --batch-size 64 --progress plain \
    --validation "$work/data.fnnd")
  predict=$(peak_mb "$fnn" predict --model "$work/model.fnn" --input "$work/data.fnnd" \
    --output "$work/predictions.csv")
  rm -f "$work/data.fnnd" "$work/predictions.csv"
  printf '%-8s %-10s %-11s %-11s %-11s %-11s %-11s\n' "$size" "$rows" "$csv_mb" "$convert" "$train" \
    "$validate" "$predict"
done
