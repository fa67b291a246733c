# Sourced by the tests/mpi/*.sh scripts (docs/distributed.md): a fresh working directory, tiny
# training data, fnn train alone or under mpirun (train; train_refused for a run that must fail
# with a given status and message), and model files compared byte for byte.
#
#   source mpi_script_lib.sh
#   mpi_script_start NAME FNN MPIRUN [mpirun options...]   # sets fnn, mpirun; cd to a temp dir
#   make_data data.csv 1                                   # 23 rows: batches of 8, 8 and 7
#   train alone one.log "${tiny_training[@]}" --shards 2 --save one.fnn
#   train 2 two.log "${tiny_training[@]}" --shards 2 --save two.fnn
#   same_model one.fnn two.fnn "2 ranks with --shards 2"
#   mpi_script_end                                         # "NAME: passed", exit 0 or 1
#
# A check that fails calls fail, which records it and lets the script go on to its other checks.

# mpi_script_start NAME FNN MPIRUN...: the test's name (for messages), the fnn tool, and the
# mpirun command with its options (a script may append to the array `mpirun`).
mpi_script_start() {
  test_name=$1
  fnn=$(realpath "$2")
  shift 2
  mpirun=("$@")
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  failed=0
}

fail() {
  echo "$test_name: FAILED: $*" >&2
  failed=1
}

mpi_script_end() {
  [ "$failed" = 0 ] && echo "$test_name: passed"
  exit "$failed"
}

# make_data FILE SHIFT: 23 rows of 3 features and a target, deterministic; SHIFT moves feature b,
# so that two values of it make two different data files of the same shape.
make_data() {
  awk -v shift_by="$2" 'BEGIN {
    print "a,b,c,y"
    for (i = 0; i < 23; i++) {
      a = (i * 37 % 23) / 6 - 2; b = (i * 11 % 23) / 3 + shift_by; c = (i * 5 % 23) / 11 - 1
      print a "," b "," c "," (sin(a) + c * b / 10)
    }
  }' >"$1"
}

# A tiny run on data.csv that exercises what could go wrong across ranks: dropout (its masks
# follow the batch rows), adam's state, standardization, and an uneven last batch of 7.
tiny_training=(--train data.csv --hidden 6 --dropout 0.25 --optimizer adam --batch-size 8
               --epochs 3 --scale standardize --seed 7 --progress plain)

# train RANKS LOG OPTIONS...: `fnn train OPTIONS` as one process (RANKS "alone", no launcher) or
# under mpirun -np RANKS, its standard output and error in LOG; a non-zero exit is a failure
# reported with the log (the script goes on: a missing model file fails its own check later).
train() {
  local status=0
  run_train "$@" || status=$?
  [ "$status" = 0 ] || fail "fnn train $(on_ranks "$1") exited $status: $(cat "$2")"
}

# train_refused RANKS LOG STATUS PATTERN WHAT OPTIONS...: `fnn train OPTIONS`, run as by train,
# must exit STATUS with a line matching PATTERN (grep -E) in LOG; WHAT names the case.
train_refused() {
  local ranks=$1 log=$2 expected=$3 pattern=$4 what=$5
  shift 5
  local status=0
  run_train "$ranks" "$log" "$@" || status=$?
  [ "$status" = "$expected" ] || fail "$what: exited $status, expected $expected: $(cat "$log")"
  grep -qE "$pattern" "$log" || fail "$what: no line matching '$pattern' in: $(cat "$log")"
}

on_ranks() { if [ "$1" = alone ]; then echo "as one process"; else echo "on $1 ranks"; fi; }

run_train() {
  local ranks=$1 log=$2
  shift 2
  local command=("$fnn" train "$@")
  [ "$ranks" = alone ] || command=("${mpirun[@]}" -np "$ranks" "${command[@]}")
  "${command[@]}" >"$log" 2>&1
}

# The process id of rank 1 of the job whose command line holds $1.
rank_1_of() {
  for pid in $(pgrep -f "$1" || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
      echo "$pid"
    fi
  done
}

# same_model EXPECTED ACTUAL WHAT: the two model files are the same bytes (parameters, optimizer
# state and training position: everything a run leaves).
same_model() {
  if [ ! -e "$2" ]; then
    fail "$3: no model file $2"
  elif ! cmp -s "$1" "$2"; then
    fail "$3: $2 differs from $1 ($(cmp "$1" "$2" 2>&1 || true))"
  fi
}
