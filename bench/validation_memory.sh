#!/usr/bin/env bash
# Peak memory (ru_maxrss, from /usr/bin/time -f %M) of fnn train with a large --validation data
# store: one epoch of 784-64-10 on the Fashion-MNIST test images (10000 rows, a store), validated
# on the training images repeated to SIZE GB of float data (785 floats a row), converted to a
# store from a repeated IDX file. A streamed --validation store keeps memory flat; one loaded
# whole costs its size. Compare two builds with --fnn.
#
#   bench/validation_memory.sh [--size 1] [--fnn build/release/bin/fnn] [--work DIR]
#                              [--data /usr/share/datasets/fashion-mnist] [--keep]
#
# The big files go to --work (default a fresh directory under /tmp) and are removed at the end
# unless --keep (then a second run reuses them). Prints one table row.
set -euo pipefail

size="1"
fnn="build/release/bin/fnn"
work=""
data="/usr/share/datasets/fashion-mnist"
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --fnn) fnn="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "validation_memory.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x "$fnn" ]] || { echo "validation_memory.sh: no fnn at '$fnn' (build it, or give --fnn)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "validation_memory.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[[ -f "$data/train-images-idx3-ubyte.gz" ]] || { echo "validation_memory.sh: no Fashion-MNIST in '$data'" >&2; exit 2; }
if [[ -z "$work" ]]; then work="$(mktemp -d /tmp/fnn-validation-memory.XXXXXX)"; fi
mkdir -p "$work"
[[ $keep -eq 1 ]] || trap 'rm -rf "$work"' EXIT

rows=$(python3 -c "print(int(float('$size') * 1e9 / (785 * 4)))")
if [[ ! -f "$work/train.fnnd" ]]; then
  "$fnn" convert "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" \
    --output "$work/train.fnnd" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
fi
if [[ ! -f "$work/validation-$rows.fnnd" ]]; then
  # The training images and labels repeated to `rows` rows, as plain IDX files.
  python3 - "$data" "$rows" "$work/images.idx" "$work/labels.idx" <<'PY'
import gzip, struct, sys
data, rows, images_out, labels_out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with gzip.open(f"{data}/train-images-idx3-ubyte.gz") as f:
    images = f.read()[16:]
with gzip.open(f"{data}/train-labels-idx1-ubyte.gz") as f:
    labels = f.read()[8:]
with open(images_out, "wb") as out:
    out.write(struct.pack(">IIII", 0x803, rows, 28, 28))
    for _ in range(rows // len(labels)):
        out.write(images)
    out.write(images[:(rows % len(labels)) * 784])
with open(labels_out, "wb") as out:
    out.write(struct.pack(">II", 0x801, rows))
    out.write(labels * (rows // len(labels)) + labels[:rows % len(labels)])
PY
  "$fnn" convert "$work/images.idx" --labels "$work/labels.idx" \
    --output "$work/validation-$rows.fnnd" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  rm -f "$work/images.idx" "$work/labels.idx"
fi

/usr/bin/time -f "%M %e" -o "$work/rss" "$fnn" train --train "$work/train.fnnd" --hidden 64 \
  --epochs 1 --loss cross_entropy --output-activation softmax --batch-size 64 --progress plain \
  --validation "$work/validation-$rows.fnnd" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
read -r peak_kb seconds <"$work/rss"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
printf '%-8s %-10s %-11s %-10s %s\n' "GB" "rows" "store MB" "train MB" "seconds"
printf '%-8s %-10s %-11s %-10s %s\n' "$size" "$rows" \
  "$(( $(stat -c %s "$work/validation-$rows.fnnd") / 1000000 ))" "$(( peak_kb / 1024 ))" "$seconds"
grep -E "^(training on|epoch 1/)" "$work/log"
