#!/usr/bin/env bash
# fnn train under mpirun against one process (docs/distributed.md): the same model file byte for
# byte, only rank 0 writing and printing, a shard count that is not a multiple of the ranks and
# ranks given different data refused, a checkpoint written by 2 ranks resumed in one process, a
# killed rank ending the job, and a stuck one ended by the exchange deadline.
# usage: train_under_mpirun.sh FNN MPIRUN [mpirun options...]
set -euo pipefail
source "$(dirname "$0")/mpi_script_lib.sh"
mpi_script_start train_under_mpirun "$@"

make_data data.csv 1
make_data other.csv 2
train alone one.log "${tiny_training[@]}" --shards 2 --save one.fnn

# 2 ranks, 2 shards (given, and by default): the same file; one "saved" line, from rank 0.
train 2 two.log "${tiny_training[@]}" --shards 2 --save two.fnn --metrics m.csv
same_model one.fnn two.fnn "2 ranks with --shards 2 against one process with --shards 2"
[ "$(grep -c '^saved two.fnn' two.log)" = 1 ] || fail "not exactly one rank printed 'saved'"
[ "$(grep -c '^epoch 3/3' two.log)" = 1 ] || fail "not exactly one rank printed its progress"
[ "$(grep -c . m.csv)" = 4 ] || fail "the metrics file has not one header and 3 epochs"
train 2 default.log "${tiny_training[@]}" --save default.fnn
same_model one.fnn default.fnn "--shards defaulting to the 2 ranks"

# 3 shards over 2 ranks: a usage error, from every rank, exit 2.
train_refused 2 three.log 2 \
  'rank [01]/2 \(.*\): --shards 3 must be a multiple of the job.s 2 processes' \
  "--shards 3 on 2 ranks" "${tiny_training[@]}" --shards 3 --save three.fnn
[ ! -e three.fnn ] || fail "a refused run wrote a file"

# Rank 1 given another data file: refused before training, naming the rank and the difference.
status=0
"${mpirun[@]}" -np 1 "$fnn" train "${tiny_training[@]}" --save mixed.fnn : \
  -np 1 "$fnn" train "${tiny_training[@]/data.csv/other.csv}" --save mixed.fnn >mixed.log 2>&1 ||
  status=$?
[ "$status" = 1 ] || fail "ranks with different data exited $status, expected 1"
grep -q 'disagree before training: rank 1 has training data=23 rows.*rank 0 has training data' \
  mixed.log || fail "different data: no message naming rank 1 and the data: $(cat mixed.log)"
[ ! -e mixed.fnn ] || fail "ranks that disagree wrote a model"

# A checkpoint inside epoch 3 (batch 8 of 9) written by 2 ranks, resumed by one process with the
# shard count it keeps: the unbroken run's file.
train 2 ck.log "${tiny_training[@]}" --checkpoint-every 4batches --checkpoint ck.fnn
"$fnn" inspect ck.fnn | grep -q '2 of 3 epochs done, and 2 batches of epoch 3' || fail "ck.fnn is not inside epoch 3"
train alone resumed.log --resume ck.fnn --train data.csv --epochs 3 --save resumed.fnn
same_model one.fnn resumed.fnn "the 2-rank checkpoint resumed in one process"

# Stop, then SIGKILL rank 1 once rank 0 has written a checkpoint: rank 0 waits in the exchange for
# rank 1's shards (it does not train on alone), the job ends non-zero within 10 s, no model is
# saved, and the checkpoint is intact. 2,000 rows for 1,000,000 epochs: nothing finishes on its own.
awk 'BEGIN { print "a,b,y"; for (i = 0; i < 2000; i++) print (i % 17) / 8 "," (i % 13) / 6 "," (i % 5) / 4 }' \
  >long.csv
"${mpirun[@]}" -np 2 "$fnn" train --train long.csv --hidden 4 --batch-size 8 --epochs 1000000 \
  --checkpoint-every 100batches --checkpoint killed.checkpoint --save killed.fnn \
  --threads 1 >killed.log 2>&1 &
job=$!
for _ in $(seq 200); do [ -e killed.checkpoint ] && break; sleep 0.05; done
rank1=$(rank_1_of killed.checkpoint)
if [ -z "$rank1" ] || [ ! -e killed.checkpoint ]; then
  fail "no checkpoint or no rank 1 to kill: $(cat killed.log)"
  kill "$job" 2>/dev/null || true
else
  # Rank 1 stopped: rank 0 waits for its shards, so checkpoints stop (alone it would write one
  # every 100 batches, many a second).
  kill -STOP "$rank1"
  sleep 0.5
  before=$(cksum <killed.checkpoint)
  sleep 1.5
  [ "$(cksum <killed.checkpoint)" = "$before" ] ||
    fail "rank 0 trained on while rank 1 was stopped: it does not take rank 1's shards"
  kill -KILL "$rank1"
  status=0
  for _ in $(seq 100); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$job" 2>/dev/null; then
    fail "the job still runs 10 s after rank 1 was killed"
    kill "$job" 2>/dev/null || true
  fi
  wait "$job" || status=$?
  [ "$status" != 0 ] || fail "the job exited 0 after rank 1 was killed"
  [ ! -e killed.fnn ] || fail "rank 0 saved a model without rank 1"
  "$fnn" inspect killed.checkpoint >/dev/null || fail "the last checkpoint is not intact"
fi

# A stuck rank (stopped) and --exchange-timeout 1: rank 0 gives up within seconds, naming the
# batch, and the job ends non-zero.
"${mpirun[@]}" -np 2 "$fnn" train --train long.csv --hidden 4 --batch-size 8 --epochs 1000000 \
  --checkpoint-every 100batches --checkpoint stuck.checkpoint --exchange-timeout 1 \
  --threads 1 >stuck.log 2>&1 &
job=$!
for _ in $(seq 200); do [ -e stuck.checkpoint ] && break; sleep 0.05; done
rank1=$(rank_1_of stuck.checkpoint)
if [ -z "$rank1" ]; then
  fail "no rank 1 to stop: $(cat stuck.log)"
  kill "$job" 2>/dev/null || true
else
  kill -STOP "$rank1"
  for _ in $(seq 100); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$job" 2>/dev/null; then
    fail "the job still runs 10 s after rank 1 was stopped with --exchange-timeout 1"
    kill -KILL "$rank1" 2>/dev/null || true
    kill "$job" 2>/dev/null || true
  fi
  status=0
  wait "$job" || status=$?
  [ "$status" != 0 ] || fail "the job with a stuck rank exited 0"
  grep -q 'rank 0/2 (.*): batch [0-9]* of epoch [0-9]*: the gradient exchange waited 1 s' \
    stuck.log || fail "no message from rank 0 naming the batch: $(cat stuck.log)"
fi

mpi_script_end
