#!/usr/bin/env bash
# fnn train on 2 ranks over one Open MPI transport against one process with --shards 2: the same
# model file byte for byte (docs/distributed.md). MODE:
#   vader      --mca btl self,vader: shared memory between the ranks;
#   tcp        --mca btl self,tcp: TCP over loopback (btl_tcp_if_include lo);
#   two-hosts  a hostfile of two host names, each started through local_ssh.sh (mpirun's rsh
#              launcher), so that the ranks are on different "hosts" and talk over TCP.
# usage: train_transports.sh MODE FNN MPIRUN [mpirun options...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/mpi_script_lib.sh"
mode=$1
shift
mpi_script_start "train_transports $mode" "$@"

case $mode in
  vader) mpirun+=(--mca btl self,vader) ;;
  # btl_tcp_if_include lo: Open MPI leaves loopback out by default, and a CI machine may have
  # no other interface.
  tcp) mpirun+=(--mca btl self,tcp --mca btl_tcp_if_include lo) ;;
  two-hosts)
    # Names that resolve nowhere, so that mpirun takes neither for this machine (localhost and
    # 127.0.0.1 would both be) and starts a daemon "on" each through the stand-in ssh.
    printf 'fnn-test-host-a slots=1\nfnn-test-host-b slots=1\n' >hosts
    export FNN_LOCAL_SSH_LOG=$work/ssh.log
    # Over loopback, as tcp above: the daemons and ranks need no other interface.
    mpirun+=(--hostfile hosts --mca plm_rsh_agent "$here/local_ssh.sh"
      --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
    ;;
  *)
    echo "usage: train_transports.sh vader|tcp|two-hosts FNN MPIRUN..., got mode '$mode'" >&2
    exit 2
    ;;
esac

make_data data.csv 1
train alone one.log "${tiny_training[@]}" --shards 2 --save one.fnn
train 2 two.log "${tiny_training[@]}" --shards 2 --save two.fnn
same_model one.fnn two.fnn "2 ranks over $mode against one process with --shards 2"
if [ "$mode" = two-hosts ]; then
  hosts_started=$(sort "$FNN_LOCAL_SSH_LOG" 2>/dev/null | tr '\n' ' ')
  [ "$hosts_started" = "fnn-test-host-a fnn-test-host-b " ] ||
    fail "mpirun did not start one daemon on each host through local_ssh.sh: '$hosts_started'"
fi
mpi_script_end
