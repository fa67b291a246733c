#!/usr/bin/env bash
# Distributed training on one machine: the epoch time of the Fashion-MNIST MLP (784-256-128-10,
# sgd, 60000 rows) at global batch 64, 512 and 2048, as
#   threads: 1 process x 2 threads (today's run, --shards 1)
#   sharded: 1 process x 2 threads with --shards 2 (the 2-rank run's math, in one process)
#   ranks:   mpirun -np 2, 1 thread each (--shards 2)
# alternating, --runs rounds; each run trains --epochs epochs and its time is the median of its
# epochs' "seconds" (training only: no data loading, no evaluation). Prints each round, then per
# batch size "RESULT batch=B threads_s=... sharded_s=... ranks_s=... speed=..." where speed =
# threads_s / ranks_s (how fast 2 ranks are against 2 threads; the target at B >= 512: >= 0.9).
#   bench/mpi_epochs.sh [--runs N] [--epochs N] [--batches 64,512,2048] [--fnn PATH]
set -euo pipefail
runs=3 epochs=3 batches=64,512,2048
fnn=${FNN:-$(dirname "$0")/../build/release/bin/fnn}
data=/usr/share/datasets/fashion-mnist
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --fnn) fnn=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "mpi_epochs.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
fnn=$(realpath "$fnn")
[ -x "$fnn" ] || { echo "mpi_epochs.sh: no fnn at $fnn; build it or give --fnn" >&2; exit 1; }
[ -r "$data/train-images-idx3-ubyte.gz" ] ||
  { echo "mpi_epochs.sh: no Fashion-MNIST in $data (apt-get install dataset-fashion-mnist)" >&2; exit 1; }
command -v mpirun > /dev/null || { echo "mpi_epochs.sh: no mpirun (apt-get install openmpi-bin)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'train = %s\ntrain-labels = %s\nscale = minmax\nhidden = 256,128\nactivation = sigmoid\nloss = mse\noptimizer = sgd\nlearning-rate = 0.5\nseed = 1\n' \
  "$data/train-images-idx3-ubyte.gz" "$data/train-labels-idx1-ubyte.gz" > base.ini
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# The median of a metrics file's epoch seconds (the "seconds" column, found by its header).
epoch_seconds() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") c = i; next } { print $c }' "$1" | median
}
run() {  # $1: threads|sharded|ranks, $2: batch size; prints the run's median epoch seconds
  rm -f metrics.csv
  local common=(train --config base.ini --batch-size "$2" --epochs "$epochs" --metrics metrics.csv)
  case $1 in
    threads) "$fnn" "${common[@]}" --threads 2 > run.log 2>&1 ;;
    sharded) "$fnn" "${common[@]}" --threads 2 --shards 2 > run.log 2>&1 ;;
    ranks) mpirun -np 2 --oversubscribe --bind-to none --mca btl self,vader \
             "$fnn" "${common[@]}" --threads 1 > run.log 2>&1 ;;
  esac || { cat run.log >&2; exit 1; }
  epoch_seconds metrics.csv
}

echo "fnn train, Fashion-MNIST 784-256-128-10 sgd, $epochs epochs per run, $runs rounds; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
IFS=, read -r -a batch_list <<< "$batches"
for batch in "${batch_list[@]}"; do
  : > "threads.$batch" ; : > "sharded.$batch" ; : > "ranks.$batch"
  for round in $(seq "$runs"); do
    line="batch $batch round $round:"
    for kind in threads sharded ranks; do
      seconds=$(run "$kind" "$batch")
      echo "$seconds" >> "$kind.$batch"
      line+=" $kind=${seconds}s"
    done
    echo "$line"
  done
done
for batch in "${batch_list[@]}"; do
  t=$(median < "threads.$batch") s=$(median < "sharded.$batch") r=$(median < "ranks.$batch")
  awk -v b="$batch" -v t="$t" -v s="$s" -v r="$r" \
    'BEGIN { printf "RESULT batch=%s threads_s=%.3f sharded_s=%.3f ranks_s=%.3f speed=%.3f\n", b, t, s, r, t / r }'
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
