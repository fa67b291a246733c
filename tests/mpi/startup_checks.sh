#!/usr/bin/env bash
# The start-up of fnn train under mpirun (docs/distributed.md): ranks with another build of a
# plugin, another OpenBLAS core or other libm variants are refused, naming the rank and the
# difference, while the same
# plugin from another directory is accepted; a rank that never reaches the start-up agreement or
# the broadcast of the initial parameters ends the job within the --exchange-timeout deadline.
# usage: startup_checks.sh FNN MPIRUN [mpirun options...]
set -euo pipefail
source "$(dirname "$0")/mpi_script_lib.sh"
mpi_script_start startup_checks "$@"

make_data data.csv 1
train alone one.log "${tiny_training[@]}" --shards 2 --save one.fnn
# fnn's own relu plugin, where `fnn plugins` found it.
relu=$("$fnn" plugins | grep -o '/.*/fnn_relu\.so$' | head -n 1)
[ -f "$relu" ] || fail "fnn plugins names no fnn_relu.so"

# two_ranks LOG SAVE ENV0 ENV1 [OPTIONS1]: mpirun with rank 0 and rank 1 (MPMD), each given its
# environment (VAR=value words), rank 1 also OPTIONS1; prints the exit status.
two_ranks() {
  local log=$1 save=$2 env0=$3 env1=$4 options1=${5:-}
  local status=0
  # shellcheck disable=SC2086  # the words of a rank's environment and options
  "${mpirun[@]}" -np 1 env $env0 "$fnn" train "${tiny_training[@]}" --save "$save" : \
    -np 1 env $env1 "$fnn" train "${tiny_training[@]}" --save "$save" $options1 >"$log" 2>&1 ||
    status=$?
  echo "$status"
}

# The same plugin file in another directory: the same run (directories may differ, contents not).
mkdir copy changed
cp "$relu" copy/
status=$(two_ranks copy.log copy.fnn "" "" "--plugin-dir $PWD/copy")
[ "$status" = 0 ] || fail "rank 1 with a copy of fnn_relu.so exited $status: $(cat copy.log)"
same_model one.fnn copy.fnn "rank 1 loading an identical fnn_relu.so from another directory"

# Another build of it (a byte more): refused before training, naming rank 1 and the plugin.
cp "$relu" changed/
printf 'x' >>changed/fnn_relu.so
status=$(two_ranks changed.log changed.fnn "" "" "--plugin-dir $PWD/changed")
[ "$status" = 1 ] || fail "rank 1 with a changed fnn_relu.so exited $status, expected 1"
plugin='fnn_relu.so=[0-9]* bytes, CRC-32 [0-9a-f]{8}'
grep -qE "disagree before training: rank 1 has plugin $plugin, rank 0 has plugin $plugin;" \
  changed.log || fail "changed plugin: no message naming rank 1 and the plugin: $(cat changed.log)"
[ ! -e changed.fnn ] || fail "ranks with different plugins wrote a model"

# Another OpenBLAS core on rank 1 (Debian's OpenBLAS chooses its core at run time; the variable
# OPENBLAS_CORETYPE overrides the choice): refused, naming rank 1 and both cores.
status=$(two_ranks core.log core.fnn OPENBLAS_CORETYPE=Prescott OPENBLAS_CORETYPE=Nehalem)
[ "$status" = 1 ] || fail "ranks with other OpenBLAS cores exited $status, expected 1"
grep -q 'rank 1 has BLAS=OpenBLAS .*, core Nehalem, rank 0 has BLAS=OpenBLAS .*, core Prescott;' \
  core.log || fail "other cores: no message naming rank 1 and the cores: $(cat core.log)"

# Rank 1 whose glibc takes the CPU for one without AVX2 (GLIBC_TUNABLES hides it from glibc's
# ifuncs): its libm would pick other variants of exp, log, ..., which may round a last bit
# otherwise. Refused, naming rank 1 and both. Needs a CPU with FMA and AVX2 (every CI machine).
if grep -qw fma /proc/cpuinfo && grep -qw avx2 /proc/cpuinfo; then
  status=$(two_ranks libm.log libm.fnn "" GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2)
  [ "$status" = 1 ] || fail "ranks with other libm variants exited $status, expected 1"
  grep -q "rank 1 has CPU=no FMA and AVX2 (libm's baseline variants), rank 0 has CPU=FMA and AVX2" \
    libm.log || fail "other libm variants: no message naming rank 1 and both: $(cat libm.log)"
elif [ "${CI:-}" = true ]; then
  fail "this CPU lacks FMA or AVX2: the libm variant check cannot run (it must in CI)"
else
  echo "skipped: the libm variant check needs a CPU with FMA and AVX2"
fi

# Rank 1 stuck (a test hook: it sleeps 30 s) before STEP, with --exchange-timeout 2: the job ends
# non-zero well before rank 1 would wake, rank 0 naming the step, rank 1 and the deadline.
stalled() {
  local step=$1 message=$2
  local status=0 start=$SECONDS
  timeout 120 "${mpirun[@]}" -np 2 -x "FNN_TEST_STALL_BEFORE=$step:1" "$fnn" train \
    "${tiny_training[@]}" --exchange-timeout 2 --save "stall-$step.fnn" >"stall-$step.log" 2>&1 ||
    status=$?
  local took=$((SECONDS - start))
  [ "$status" != 0 ] || fail "rank 1 stuck before $step: the job exited 0"
  [ "$took" -le 15 ] || fail "rank 1 stuck before $step: the job took $took s, not at most 15"
  grep -q "rank 0/2 (.*): $message waited 2 s for rank 1, which never came" "stall-$step.log" ||
    fail "rank 1 stuck before $step: no message from rank 0: $(cat "stall-$step.log")"
  [ ! -e "stall-$step.fnn" ] || fail "rank 1 stuck before $step: a model was saved"
}
stalled agreement "the start-up agreement"
stalled parameters "the broadcast of the initial parameters"

mpi_script_end
