#!/usr/bin/env bash
# fnn sweep under mpirun (docs/distributed.md, "Sweeps across ranks"): the trials spread over the
# ranks give the summary of a one-process sweep (summary.csv without its two seconds columns,
# best.ini and every trial's model file byte for byte); both ranks run trials (each trial's log
# names its rank); more ranks than trials; a failing trial counted as in one process.
# usage: sweep_across_ranks.sh FNN MPIRUN [mpirun options...]
set -euo pipefail
source "$(dirname "$0")/mpi_script_lib.sh"
mpi_script_start sweep_across_ranks "$@"

make_data data.csv 1
base=(--train data.csv --hidden 4 --epochs 3 --batch-size 8 --seed 7 --validation-split 0.25)

# sweep RANKS LOG STATUS OPTIONS...: fnn sweep OPTIONS alone or under mpirun -np RANKS, which
# must exit STATUS (mpirun exits with rank 0's status); --threads 1 unless OPTIONS give it.
sweep() {
  local ranks=$1 log=$2 expected=$3
  shift 3
  local command=("$fnn" sweep "${base[@]}" "$@")
  [[ " $* " = *" --threads "* ]] || command+=(--threads 1)
  [ "$ranks" = alone ] || command=("${mpirun[@]}" -np "$ranks" "${command[@]}")
  local status=0
  "${command[@]}" >"$log" 2>&1 || status=$?
  if [ "$status" != "$expected" ]; then
    fail "fnn sweep $(on_ranks "$ranks") exited $status, expected $expected: $(cat "$log")"
  fi
}

# summary.csv without its seconds_mean and seconds_std columns (the only ones that change
# between two runs of a sweep).
without_seconds() { sed -E 's/,[^,]*,[^,]*$//' "$1"; }

# same_sweep EXPECTED ACTUAL WHAT: the same summary (but time), best.ini and trial model files.
same_sweep() {
  local expected=$1 actual=$2 what=$3
  if [ ! -e "$actual/summary.csv" ]; then
    fail "$what: no $actual/summary.csv"
    return
  fi
  [ "$(without_seconds "$expected/summary.csv")" = "$(without_seconds "$actual/summary.csv")" ] ||
    fail "$what: summary.csv differs: $(diff "$expected/summary.csv" "$actual/summary.csv")"
  if [ -e "$expected/best.ini" ]; then
    cmp -s "$expected/best.ini" "$actual/best.ini" || fail "$what: best.ini differs"
  fi
  local trial
  for trial in "$expected"/c*/; do
    trial=$(basename "$trial")
    [ -e "$expected/$trial/model.fnn" ] || continue
    same_model "$expected/$trial/model.fnn" "$actual/$trial/model.fnn" "$what, trial $trial"
  done
}

# ranks_that_ran DIR: the ranks named in the trials' logs, sorted, one a line.
ranks_that_ran() {
  sed -n 's/^fnn sweep: trial run by rank \([0-9]*\)\/.*/\1/p' "$1"/c*/log | sort -u
}

grid=(--grid learning-rate=0.02,0.05,0.1 --grid optimizer=sgd,adam)
sweep alone one.log 0 "${grid[@]}" --out one
sweep 2 two.log 0 "${grid[@]}" --out two
same_sweep one two "6 trials on 2 ranks"
[ "$(ranks_that_ran two | tr '\n' ' ')" = "0 1 " ] ||
  fail "6 trials on 2 ranks: the trials' logs name ranks '$(ranks_that_ran two | tr '\n' ' ')'"
[ -z "$(ranks_that_ran one)" ] || fail "a one-process sweep's trial logs name a rank"
grep -q 'sweep: 6 configurations, 1 at a time on each of 2 ranks' two.log ||
  fail "rank 0 did not announce the 2 ranks: $(cat two.log)"
grep -q '6/6 trials done' two.log || fail "rank 0's progress did not reach 6/6: $(cat two.log)"
[ "$(grep -c 'trials done' two.log)" = 6 ] ||
  fail "the progress is not printed once per trial, by rank 0 alone: $(cat two.log)"

# Run again, the finished sweep runs nothing and writes the same summary.
sweep 2 again.log 0 "${grid[@]}" --out two
grep -q 'trial run by' two/c01/log && [ "$(grep -c 'trial run by' two/c01/log)" = 1 ] ||
  fail "the finished sweep, run again, ran c01 again"
same_sweep one two "the finished 2-rank sweep run again"

# --jobs 2 on each of 2 ranks (two threads each: one per trial).
sweep 2 jobs.log 0 "${grid[@]}" --threads 2 --jobs 2 --out jobs
same_sweep one jobs "6 trials on 2 ranks, 2 at a time on each"

# More ranks than trials: rank 2 gets none and ends with the others.
sweep alone small-one.log 0 --grid learning-rate=0.02,0.1 --out small-one
sweep 3 small-three.log 0 --grid learning-rate=0.02,0.1 --out small-three
same_sweep small-one small-three "2 trials on 3 ranks"

# A trial fnn train refuses (an optimizer that does not exist) fails alone, as in one process.
failing=(--grid optimizer=sgd,nosuch,adam)
sweep alone failing-one.log 1 "${failing[@]}" --out failing-one
sweep 2 failing-two.log 1 "${failing[@]}" --out failing-two
same_sweep failing-one failing-two "a failing trial on 2 ranks"
grep -q 'c02 failed (exit status 2' failing-two.log ||
  fail "rank 0 did not report c02's failure: $(cat failing-two.log)"
mpi_script_end
