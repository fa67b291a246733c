#!/usr/bin/env bash
# fnn sweep --jobs: the wall time of one sweep of 8 small trials with --jobs 2 against --jobs 1,
# both on the same thread budget (--threads, default 2), alternating, medians of --runs rounds.
# Prints each time, then "RESULT jobs1_s=... jobs2_s=... ratio=... machine_ratio=..." (the target:
# ratio <= 0.6); machine_ratio is two plain fnn train runs at once over the same two in a row,
# what the machine's cores allow at that moment (1.0: no second core to be had).
#   bench/sweep_jobs.sh [--runs N] [--threads T] [--rows N] [--epochs N] [--fnn PATH]
set -euo pipefail
runs=3 threads=2 rows=3000 epochs=4
fnn=${FNN:-$(dirname "$0")/../build/release/bin/fnn}
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --fnn) fnn=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "sweep_jobs.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$fnn" ] || { echo "sweep_jobs.sh: no fnn at $fnn; build it (cmake --build --preset release) or give --fnn" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A 3-class problem of two inputs; the 8 trials: 4 learning rates x 2 activations, same size.
awk -v rows="$rows" 'BEGIN { srand(7); print "x,y,label";
  for (i = 0; i < rows; i++) { x = rand(); y = rand(); print x "," y "," (x + y < 0.8 ? 0 : (x > y ? 1 : 2)) } }' \
  > "$work/data.csv"
printf 'train = %s\nclasses = true\nhidden = 32\nepochs = %s\nbatch-size = 16\nvalidation-split = 0.2\n' \
  "$work/data.csv" "$epochs" > "$work/base.ini"
sweep() {  # $1: jobs; prints the seconds the sweep took
  rm -rf "$work/out"
  local start end
  start=$(date +%s.%N)
  "$fnn" sweep --config "$work/base.ini" --grid learning-rate=0.05,0.1,0.2,0.4 \
    --grid activation=sigmoid,tanh --jobs "$1" --threads "$threads" --out "$work/out" \
    > "$work/sweep.log" 2>&1 || { cat "$work/sweep.log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }' 
}
# What the machine allows: two trials' worth of fnn train at once against one after the other
# (a shared VM may give far less than 2 cores' worth; the sweep cannot beat this ratio).
pair() {  # $1: "seq" or "par"; prints seconds
  local start end
  start=$(date +%s.%N)
  if [ "$1" = seq ]; then
    "$fnn" train --config "$work/base.ini" --threads 1 > /dev/null
    "$fnn" train --config "$work/base.ini" --threads 1 > /dev/null
  else
    "$fnn" train --config "$work/base.ini" --threads 1 > /dev/null &
    "$fnn" train --config "$work/base.ini" --threads 1 > /dev/null
    wait
  fi
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "fnn sweep, 8 trials ($rows rows, hidden 32, $epochs epochs), thread budget $threads, $runs rounds"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
sweep 1 > /dev/null  # warm-up: page cache, plugins
one=() two=() seq=() par=()
for round in $(seq "$runs"); do
  one+=("$(sweep 1)")
  two+=("$(sweep 2)")
  seq+=("$(pair seq)")
  par+=("$(pair par)")
  echo "round $round: --jobs 1 ${one[-1]} s, --jobs 2 ${two[-1]} s; two fnn train in a row ${seq[-1]} s, at once ${par[-1]} s"
done
m1=$(printf '%s\n' "${one[@]}" | median)
m2=$(printf '%s\n' "${two[@]}" | median)
ms=$(printf '%s\n' "${seq[@]}" | median)
mp=$(printf '%s\n' "${par[@]}" | median)
printf 'RESULT jobs1_s=%.3f jobs2_s=%.3f ratio=%.3f machine_ratio=%.3f load=%s\n' "$m1" "$m2" \
  "$(awk -v a="$m1" -v b="$m2" 'BEGIN { print b / a }')" "$(awk -v a="$ms" -v b="$mp" 'BEGIN { print b / a }')" \
  "$(cut -d' ' -f1 /proc/loadavg)"
