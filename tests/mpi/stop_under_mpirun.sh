#!/usr/bin/env bash
# An agreed stop under mpirun (docs/distributed.md): a signal to one rank of 2, and SIGUSR1 to
# mpirun (which forwards it to every rank and runs on), stop both ranks after the same batch;
# rank 0 writes the checkpoint, says where, and prints the command to continue with mpirun's
# words before it; resuming the checkpoint (on 2 ranks, and in one process with --shards 2) gives
# the unbroken run's model byte for byte; the job exits as a single interrupted process does.
# (SIGTERM and SIGINT to mpirun itself are not tested: see the end.)
# usage: stop_under_mpirun.sh FNN MPIRUN [mpirun options...]
set -euo pipefail
source "$(dirname "$0")/mpi_script_lib.sh"
mpi_script_start stop_under_mpirun "$@"

# 2,000 rows, epochs of 250 batches of 8, and 100,000 epochs for a run to be stopped: it never
# ends by itself (mpirun passes its SIGTERM on only seconds later). Its checkpoint is resumed up
# to the end of the epoch it stopped in, against an unbroken run of that many epochs. A short
# exchange deadline: ranks that did not stop together would fail in seconds.
awk 'BEGIN { print "a,b,y"; for (i = 0; i < 2000; i++) print (i % 17) / 8 "," (i % 13) / 6 "," (i % 5) / 4 }' \
  >long.csv
long=(--train long.csv --hidden 4 --dropout 0.25 --optimizer adam --batch-size 8
      --seed 3 --threads 1 --shards 2 --exchange-timeout 30 --progress plain)

# stopped_run NAME WHOM SIGNAL [mpirun options...]: the long run (as one process when WHOM is
# "alone", else on 2 ranks) checkpointing every 50 batches to NAME.checkpoint; once the first
# checkpoint is there, SIGNAL goes to WHOM ("alone", "rank1" or "mpirun"). Sets `status`.
stopped_run() {
  local name=$1 whom=$2 signal=$3
  shift 3
  local command=("$fnn" train "${long[@]}" --epochs 100000 --checkpoint-every 50batches
                 --checkpoint "$name.checkpoint" --save "$name.fnn")
  [ "$whom" = alone ] || command=("${mpirun[@]}" "$@" -np 2 "${command[@]}")
  "${command[@]}" >"$name.log" 2>&1 &
  local job=$! target=""
  for _ in $(seq 1200); do [ -e "$name.checkpoint" ] && break; sleep 0.05; done
  case $whom in
    rank1) target=$(rank_1_of "$name.checkpoint") ;;
    *) target=$job ;;
  esac
  status=0
  if [ -z "$target" ] || [ ! -e "$name.checkpoint" ]; then
    fail "$name: no checkpoint or no process to signal: $(cat "$name.log")"
    kill "$job" 2>/dev/null || true
    wait "$job" || true
    return
  fi
  kill "-$signal" "$target"
  for _ in $(seq 1200); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$job" 2>/dev/null && { fail "$name: still running 120 s after SIG$signal"; kill -KILL "$job"; }
  wait "$job" || status=$?
}

# check_stop NAME SIGNAL: after a stop by SIGNAL (e.g. SIGTERM), exactly one "training stopped
# after batch B of epoch E" (or "after epoch E", when the stop came with an epoch's last batch)
# line, a checkpoint that stands there, no model saved, and the checkpoint resumed in one process
# with --shards 2 (kept from the file) to the end of that epoch (sets `upto`) giving the model of
# an unbroken run that long.
check_stop() {
  local name=$1 signal=$2 where position
  [ "$(grep -c 'training stopped after' "$name.log")" = 1 ] ||
    fail "$name: not exactly one rank said where it stopped: $(cat "$name.log")"
  where=$(grep -oE "$signal: training stopped after (batch [0-9]+ of )?epoch [0-9]+; saved the checkpoint" \
          "$name.log" | awk '{print $5, $6, $7, $8, $9}' | tr -d ';' || true)
  case $where in
    batch*)
      upto=$(echo "$where" | awk '{print $5}')
      position="$((upto - 1)) of 100000 epochs done, and $(echo "$where" | awk '{print $2}') batches of epoch $upto;" ;;
    epoch*)
      upto=$(($(echo "$where" | awk '{print $2}') + 1))
      position="$((upto - 1)) of 100000 epochs done;" ;;
    *)
      fail "$name: no $signal stop with a checkpoint: $(cat "$name.log")"
      return ;;
  esac
  "$fnn" inspect "$name.checkpoint" | grep -q "$position" ||
    fail "$name: the checkpoint does not stand after $where ($position): $("$fnn" inspect "$name.checkpoint")"
  [ ! -e "$name.fnn" ] || fail "$name: a stopped run saved its model"
  train alone "$name-unbroken.log" "${long[@]}" --epochs "$upto" --save "$name-unbroken.fnn"
  train alone "$name-resumed.log" --resume "$name.checkpoint" --train long.csv --epochs "$upto" \
    --threads 1 --save "$name-resumed.fnn"
  same_model "$name-unbroken.fnn" "$name-resumed.fnn" "$name: its checkpoint resumed in one process"
}

# One process: the status every rank of a stopped job gives.
stopped_run alone alone TERM
[ "$status" = 143 ] || fail "one process given SIGTERM exited $status, expected 143"
check_stop alone SIGTERM

# SIGTERM to rank 1 only (as a scheduler's signal to one process): both ranks stop after the same
# batch (else rank 0 would wait out the exchange deadline) and exit 143, which mpirun passes on.
stopped_run rank1 rank1 TERM
[ "$status" = 143 ] || fail "SIGTERM to rank 1: mpirun exited $status, expected 143: $(cat rank1.log)"
check_stop rank1 SIGTERM
grep -q 'rank 1/2 (.*): interrupted: stopping after the next batch on every rank' rank1.log ||
  fail "rank 1 did not say it stops every rank: $(cat rank1.log)"
train 2 rank1-resumed-2.log --resume rank1.checkpoint --train long.csv --epochs "$upto" \
  --threads 1 --save rank1-resumed-2.fnn
same_model rank1-unbroken.fnn rank1-resumed-2.fnn "rank1: its checkpoint resumed on 2 ranks"

# SIGUSR1 to mpirun (as Slurm's --signal=USR1@120 or a user's kill): mpirun forwards it to both
# ranks and runs on; both stop after the same batch and exit 138 (128 + SIGUSR1), which mpirun
# passes on. Rank 0's continue command begins with mpirun and the process count, and says that
# mpirun's other options are not known to fnn.
stopped_run usr1 mpirun USR1
[ "$status" = 138 ] || fail "SIGUSR1 to mpirun: it exited $status, expected 138: $(cat usr1.log)"
check_stop usr1 SIGUSR1
interrupted='rank [01]/2 (.*): interrupted: stopping after the next batch on every rank'
[ "$(grep -c "$interrupted" usr1.log)" = 2 ] ||
  fail "SIGUSR1 to mpirun: not both ranks were interrupted: $(cat usr1.log)"
continued="  mpirun -np 2 $fnn train --resume usr1.checkpoint --train long.csv --epochs 100000"
continued+=" --save usr1.fnn --checkpoint-every 50batches --checkpoint usr1.checkpoint"
continued+=" --progress plain --threads 1 --exchange-timeout 30"
grep -A2 '^continue with:$' usr1.log | grep -qxF "$continued" ||
  fail "SIGUSR1 to mpirun: no continue command under mpirun -np 2: $(cat usr1.log)"
grep -A2 '^continue with:$' usr1.log | grep -qF 'other mpirun options this job was started with' ||
  fail "SIGUSR1 to mpirun: the continue command does not mention mpirun's own options: $(cat usr1.log)"

# SIGTERM or SIGINT to mpirun itself is not tested: mpirun passes SIGTERM on to the ranks only
# odls_base_sigkill_timeout seconds later and, being signalled itself, drops the ranks' last lines
# of output and sometimes kills them before rank 0's stop checkpoint (seen on a loaded 2-core
# machine: the checkpoint then was the last periodic one). docs/distributed.md says so.

mpi_script_end
