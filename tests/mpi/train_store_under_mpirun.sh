#!/usr/bin/env bash
# fnn train streaming a data store under mpirun (docs/data.md): each rank reads only its shards'
# rows of the store, and the model is the file one process saves on the CSV, byte for byte; with
# a validation split and a checkpoint inside an epoch resumed by one process too. A --validation
# store is read block by block by every rank, and ranks given different ones are refused.
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

# A --validation store watched by early stopping: the model one process saves with the CSV file.
make_data valid.csv 2
make_data other.csv 3
for name in valid other; do
  "$fnn" convert "$name.csv" -o "$name.fnnd" >convert.log 2>&1 || fail "fnn convert: $(cat convert.log)"
done
train alone valid-csv.log "${tiny_training[@]}" --shards 2 --validation valid.csv \
  --early-stopping 1 --save valid-csv.fnn
train 2 valid-store.log "${store_training[@]}" --shards 2 --validation valid.fnnd \
  --early-stopping 1 --save valid-store.fnn
same_model valid-csv.fnn valid-store.fnn "2 ranks validating on a store"
# refused_with_validation NAME STORE WHAT: rank 0 validating on valid.fnnd and rank 1 on STORE
# are refused before training (exit 1, no model), naming rank 1's validation.
refused_with_validation() {
  local status=0
  "${mpirun[@]}" -np 1 "$fnn" train "${store_training[@]}" --validation valid.fnnd \
    --save "$1.fnn" : -np 1 "$fnn" train "${store_training[@]}" --validation "$2" \
    --save "$1.fnn" >"$1.log" 2>&1 || status=$?
  [ "$status" = 1 ] || fail "ranks validating on $3 exited $status, expected 1"
  grep -q "disagree before training: rank 1 has validation=23 rows, 3 inputs, 1 targets, store" \
    "$1.log" || fail "$3: no message naming them: $(cat "$1.log")"
  [ ! -e "$1.fnn" ] || fail "ranks validating on $3 wrote a model"
}
# Rank 1 given another store of the same shape: refused before training, naming the validation.
refused_with_validation differ other.fnnd "different validation stores"
# The same inputs, one target changed: refused too (the stores compare by their blocks'
# checksums, which cover the targets).
awk -F, -v OFS=, 'NR == 6 { $4 = $4 + 1 } { print }' valid.csv >targets.csv
"$fnn" convert targets.csv -o targets.fnnd >convert.log 2>&1 || fail "fnn convert: $(cat convert.log)"
refused_with_validation targets targets.fnnd "stores of other targets"
mpi_script_end
