#!/usr/bin/env bash
# fnn train streaming a data store under mpirun (docs/data.md): each rank reads only its shards'
# rows of the store, and the model is the file one process saves on the CSV, byte for byte; with
# a validation split and a checkpoint inside an epoch resumed by one process too.
# usage: train_store_under_mpirun.sh FNN MPIRUN [mpirun options...]
set -euo pipefail
source "$(dirname "$0")/mpi_script_lib.sh"
mpi_script_start train_store_under_mpirun "$@"

make_data data.csv 1
"$fnn" convert data.csv -o data.fnnd >convert.log 2>&1 || fail "fnn convert: $(cat convert.log)"
store_training=("${tiny_training[@]/data.csv/data.fnnd}")

train alone csv.log "${tiny_training[@]}" --shards 2 --save csv.fnn
train 2 store.log "${store_training[@]}" --shards 2 --save store.fnn
same_model csv.fnn store.fnn "2 ranks streaming the store against one process on the CSV"

train alone split-csv.log "${tiny_training[@]}" --shards 2 --validation-split 0.3 --save split-csv.fnn
train 2 split-store.log "${store_training[@]}" --shards 2 --validation-split 0.3 \
  --checkpoint-every 2batches --checkpoint ck.fnn --save split-store.fnn
same_model split-csv.fnn split-store.fnn "2 ranks on the store with --validation-split 0.3"
train alone resumed.log --resume ck.fnn --train data.fnnd --validation-split 0.3 --epochs 3 \
  --save resumed.fnn
same_model split-csv.fnn resumed.fnn "the 2-rank store checkpoint resumed in one process"
mpi_script_end
