#!/usr/bin/env bash
# fnn sweep under mpirun, stopped (docs/distributed.md, "Sweeps across ranks"):
# - Ctrl-C to mpirun (SIGINT; mpirun passes SIGTERM on to the ranks): no more trials start, the
#   running ones save their checkpoints, rank 0 says how to continue and writes no summary;
#   continued on 2 ranks, the sweep ends with the summary of an unbroken one-process sweep.
# - SIGUSR1 to mpirun (which forwards it to the ranks at once and runs on): the same stop, exit
#   138, and rank 0's continue command begins with mpirun -np 2.
# - A rank killed (SIGKILL) ends the whole job, non-zero, within seconds, and its trial (not part
#   of the job) stops too, with a checkpoint, instead of running on as an orphan.
# - A rank stopped (SIGSTOP) the same, once rank 0 has heard nothing from it for
#   --exchange-timeout, with an error naming it.
# usage: sweep_stop_across_ranks.sh FNN MPIRUN [mpirun options...]
set -euo pipefail
source "$(dirname "$0")/mpi_script_lib.sh"
mpi_script_start sweep_stop_across_ranks "$@"

# 2000 rows (1500 to train on) in batches of 4, 3000 epochs: a trial runs for seconds.
awk 'BEGIN { print "a,b,c,y"
  for (i = 0; i < 2000; i++) {
    a = (i * 37 % 23) / 6 - 2; b = (i * 11 % 29) / 3; c = (i * 5 % 31) / 11 - 1
    print a "," b "," c "," (sin(a) + c * b / 10) } }' >data.csv
common=(sweep --train data.csv --hidden 8 --batch-size 4 --seed 7 --validation-split 0.25
        --threads 1 --grid learning-rate=0.01,0.02,0.05,0.1)
options=("${common[@]}" --epochs 3000)
without_seconds() { sed -E 's/,[^,]*,[^,]*$//' "$1"; }

"$fnn" "${options[@]}" --out unbroken >unbroken.log 2>&1 ||
  fail "the one-process sweep: $(cat unbroken.log)"

# wait_for_a_running_trial DIR: until a trial's metrics file has 2 to 1000 rows (inside its run).
wait_for_a_running_trial() {
  local tries rows
  for tries in $(seq 600); do
    for metrics in "$1"/c*/metrics.csv; do
      [ -e "$metrics" ] || continue
      rows=$(wc -l <"$metrics")
      [ "$rows" -ge 2 ] && [ "$rows" -le 1000 ] && return 0
    done
    sleep 0.1
  done
  return 1
}

# Open MPI's mpirun passes a Ctrl-C on as SIGTERM after odls_base_sigkill_timeout seconds and
# kills the ranks as many seconds later: 2 gives the sweep time to stop on a loaded machine.
"${mpirun[@]}" --mca odls_base_sigkill_timeout 2 -np 2 "$fnn" "${options[@]}" --out broken \
  >broken.log 2>&1 &
job=$!
if wait_for_a_running_trial broken; then
  kill -INT "$job"
  status=0
  wait "$job" || status=$?
  [ "$status" != 0 ] || fail "the interrupted sweep exited 0: $(cat broken.log)"
  grep -q 'fnn sweep: SIGTERM: stopped with [0-3] of 4 trials finished' broken.log ||
    fail "rank 0 did not say the sweep stopped: $(cat broken.log)"
  grep -q 'continue with:' broken.log || fail "rank 0 did not say how to continue: $(cat broken.log)"
  [ ! -e broken/summary.csv ] || fail "the interrupted sweep wrote summary.csv"
  ls broken/c*/checkpoint.fnn >/dev/null 2>&1 || fail "no stopped trial saved a checkpoint"
else
  fail "no trial of the 2-rank sweep started: $(cat broken.log)"
  kill "$job"
fi
"${mpirun[@]}" -np 2 "$fnn" "${options[@]}" --out broken >continued.log 2>&1 ||
  fail "the continued sweep: $(cat continued.log)"
grep -q 'resuming' broken/c*/log || fail "the continued sweep resumed no trial"
[ "$(without_seconds unbroken/summary.csv)" = "$(without_seconds broken/summary.csv)" ] ||
  fail "the continued sweep's summary differs: $(diff unbroken/summary.csv broken/summary.csv)"
cmp -s unbroken/best.ini broken/best.ini || fail "the continued sweep's best.ini differs"

# SIGUSR1 to mpirun: forwarded to both ranks, which pass it on to their trials.
"${mpirun[@]}" -np 2 "$fnn" "${options[@]}" --out usr1 >usr1.log 2>&1 &
job=$!
if wait_for_a_running_trial usr1; then
  kill -USR1 "$job"
  status=0
  wait "$job" || status=$?
  [ "$status" = 138 ] || fail "the sweep given SIGUSR1 through mpirun exited $status: $(cat usr1.log)"
  grep -q 'fnn sweep: SIGUSR1: stopped with [0-3] of 4 trials finished' usr1.log ||
    fail "rank 0 did not say the sweep stopped on SIGUSR1: $(cat usr1.log)"
  grep -A1 '^continue with:$' usr1.log | grep -qxF "  mpirun -np 2 $fnn ${options[*]} --out usr1" ||
    fail "rank 0 did not say to continue under mpirun -np 2: $(cat usr1.log)"
  [ ! -e usr1/summary.csv ] || fail "the sweep given SIGUSR1 wrote summary.csv"
  ls usr1/c*/checkpoint.fnn >/dev/null 2>&1 || fail "no trial stopped by SIGUSR1 saved a checkpoint"
else
  fail "no trial of the 2-rank sweep started: $(cat usr1.log)"
  kill "$job"
fi

# rank1_and_its_trial DIR: sets rank1 (the process of rank 1) and trial (the fnn train it runs),
# waiting for both; empty when they never show.
rank1_and_its_trial() {
  rank1=
  trial=
  local tries
  for tries in $(seq 600); do
    rank1=$(sed -n 's/^fnn sweep: trial run by rank 1\/2 .*, process \([0-9]*\)$/\1/p' \
      "$1"/c*/log 2>/dev/null | head -n 1 || true)
    [ -z "$rank1" ] || break
    sleep 0.1
  done
  for tries in $(seq 100); do
    [ -z "$rank1" ] || trial=$(ps -o pid= --ppid "$rank1" | head -n 1 | tr -d ' ')
    [ -z "$trial" ] || break
    sleep 0.1
  done
}

# ends_with_its_trials NAME: the job $job, whose rank 1 was made to fail at $failed_at, ends
# non-zero within 30 s with no summary, rank 1's trial $trial stops too, and the trials saved
# checkpoints.
ends_with_its_trials() {
  local status=0 tries
  wait "$job" || status=$?
  [ "$status" != 0 ] || fail "the job whose rank 1 was $1 exited 0: $(cat "$1.log")"
  [ $((SECONDS - failed_at)) -le 30 ] ||
    fail "the job whose rank 1 was $1 took $((SECONDS - failed_at)) s to end"
  [ ! -e "$1/summary.csv" ] || fail "the job whose rank 1 was $1 wrote summary.csv"
  for tries in $(seq 300); do
    kill -0 "$trial" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$trial" 2>/dev/null; then
    fail "rank 1's trial (process $trial) runs on 30 s after its rank was $1"
    kill "$trial"
  fi
  ls "$1"/c*/checkpoint.fnn >/dev/null 2>&1 || fail "the $1 job's trials saved no checkpoint"
}

# A rank that dies: rank 1 killed while it runs a trial (of 30000 epochs: a minute or more) ends
# the job, and its trial.
long=("${common[@]}" --epochs 30000)
"${mpirun[@]}" -np 2 "$fnn" "${long[@]}" --out killed >killed.log 2>&1 &
job=$!
rank1_and_its_trial killed
if [ -n "$trial" ]; then
  sleep 1  # inside its run, past the start
  kill -KILL "$rank1"
  failed_at=$SECONDS
  ends_with_its_trials killed
else
  fail "rank 1 ran no trial: $(cat killed.log)"
  kill "$job"
fi

# A rank that is stuck (stopped: SIGSTOP) says nothing more: rank 0 gives it up after
# --exchange-timeout and ends the job, naming it, rather than wait forever.
"${mpirun[@]}" -np 2 "$fnn" "${long[@]}" --exchange-timeout 3 --out stuck >stuck.log 2>&1 &
job=$!
rank1_and_its_trial stuck
if [ -n "$trial" ]; then
  sleep 1
  kill -STOP "$rank1"
  failed_at=$SECONDS
  ends_with_its_trials stuck
  grep -q "rank 1 sent nothing for 3 s (--exchange-timeout) while the sweep ran" stuck.log ||
    fail "the stuck job did not name rank 1's silence: $(cat stuck.log)"
  kill -CONT "$rank1" 2>/dev/null || true
else
  fail "rank 1 ran no trial: $(cat stuck.log)"
  kill "$job"
fi
mpi_script_end
