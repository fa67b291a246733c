#!/usr/bin/env bash
# Epoch time of fnn train streaming a data store (warm page cache) against the same data loaded
# into memory, Fashion-MNIST 784-64-10, in the same run; and each run's peak RSS (ru_maxrss).
#   bench/store_epoch.sh [FNN] ; RUNS=3 EPOCHS=3 THREADS="1 2" BATCH=64
set -euo pipefail
fnn=${1:-build/release/bin/fnn}
data=${DATA:-/usr/share/datasets/fashion-mnist}
runs=${RUNS:-3}
epochs=${EPOCHS:-3}
batch=${BATCH:-64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$fnn" convert "$data/train-images-idx3-ubyte.gz" --labels "$data/train-labels-idx1-ubyte.gz" \
  -o "$work/train.fnnd" >/dev/null
cat "$work/train.fnnd" >/dev/null  # the page cache holds the store from here on
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

for threads in ${THREADS:-1 2}; do
  for run in $(seq "$runs"); do
    for kind in memory store; do
      if [ "$kind" = memory ]; then
        input=(--train "$data/train-images-idx3-ubyte.gz" --train-labels "$data/train-labels-idx1-ubyte.gz")
      else
        input=(--train "$work/train.fnnd")
      fi
      /usr/bin/time -f "%M" -o "$work/rss" "$fnn" train "${input[@]}" --hidden 64 --activation relu \
        --output-activation softmax --loss cross_entropy --scale minmax --batch-size "$batch" \
        --epochs "$epochs" --threads "$threads" --progress plain --metrics "$work/m-$kind.csv" \
        >/dev/null
      tail -n +2 "$work/m-$kind.csv" | cut -d, -f5 | sed "s/^/$threads $kind /" >>"$work/seconds"
      echo "$threads $kind $(cat "$work/rss")" >>"$work/peaks"
    done
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$work/seconds" "$work/peaks" <<'PY'
import statistics, sys
seconds, peaks = {}, {}
for line in open(sys.argv[1]):
    threads, kind, value = line.split()
    seconds.setdefault((threads, kind), []).append(float(value))
for line in open(sys.argv[2]):
    threads, kind, value = line.split()
    peaks.setdefault((threads, kind), []).append(int(value))
print("threads  memory s/epoch  store s/epoch  store/memory  peak RSS memory  peak RSS store")
for threads in sorted({t for t, _ in seconds}, key=int):
    m = statistics.median(seconds[(threads, "memory")])
    s = statistics.median(seconds[(threads, "store")])
    print(f"{threads:>7}  {m:14.3f}  {s:13.3f}  {s / m:12.3f}  "
          f"{max(peaks[(threads, 'memory')]) / 1024:12.0f} MiB  "
          f"{max(peaks[(threads, 'store')]) / 1024:11.0f} MiB")
PY
