#!/usr/bin/env bash
# A checkpoint written by 4 ranks (--shards 4) inside epoch 3, resumed on 2 ranks and by one
# process, gives the unbroken 4-rank run's model file byte for byte (parameters, optimizer state
# and position); resumed on 3 ranks, which cannot share 4 shards evenly, it is refused, exit 2,
# naming the shard count of the checkpoint (docs/distributed.md, "Resuming").
# usage: resume_across_ranks.sh FNN MPIRUN [mpirun options...]
set -euo pipefail
source "$(dirname "$0")/mpi_script_lib.sh"
mpi_script_start resume_across_ranks "$@"

make_data data.csv 1
train 4 unbroken.log "${tiny_training[@]}" --shards 4 --save unbroken.fnn
# 3 batches an epoch, a checkpoint every 4: the last one is batch 8 of 9, inside epoch 3.
train 4 checkpoint.log "${tiny_training[@]}" --shards 4 --checkpoint-every 4batches \
  --checkpoint ck.fnn
"$fnn" inspect ck.fnn >inspect.log 2>&1 || fail "fnn inspect ck.fnn: $(cat inspect.log)"
grep -q '2 of 3 epochs done, and 2 batches of epoch 3' inspect.log ||
  fail "ck.fnn is not inside epoch 3: $(cat inspect.log)"
grep -q ', shards 4,' inspect.log || fail "ck.fnn does not keep 4 shards: $(cat inspect.log)"

resume=(--resume ck.fnn --train data.csv --epochs 3)
train 2 two.log "${resume[@]}" --save two.fnn
same_model unbroken.fnn two.fnn "the 4-rank checkpoint resumed on 2 ranks"
train alone one.log "${resume[@]}" --save one.fnn
same_model unbroken.fnn one.fnn "the 4-rank checkpoint resumed by one process"

refusal='rank [0-2]/3 \(.*\): ck\.fnn was trained with 4 shards a batch, which the job.s 3 '
refusal+='processes cannot share evenly: resume it on 1, 2, 4 processes'
train_refused 3 three.log 2 "$refusal" "the 4-rank checkpoint resumed on 3 ranks" \
  "${resume[@]}" --save three.fnn
[ ! -e three.fnn ] || fail "the refused resume on 3 ranks wrote three.fnn"
mpi_script_end
