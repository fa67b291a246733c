#!/bin/sh
# A stand-in for ssh that mpirun's rsh launcher (--mca plm_rsh_agent) calls to start its daemon
# on another host: it drops ssh's options and the host name, and runs the command here with this
# environment kept, so one machine plays several hosts (train_transports.sh two-hosts). Each call
# is appended to $FNN_LOCAL_SSH_LOG, when set, for the test to check the hosts it was asked for.
# usage: local_ssh.sh [-OPTION...] HOST COMMAND...
while [ $# -gt 0 ]; do
  case $1 in
    -*) shift ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "local_ssh.sh: expected a host and a command, got: $*" >&2
  exit 255  # ssh's own failure status
fi
host=$1
shift
[ -z "${FNN_LOCAL_SSH_LOG:-}" ] || echo "$host" >>"$FNN_LOCAL_SSH_LOG"
exec /bin/sh -c "$*"
