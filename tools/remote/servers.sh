#!/usr/bin/env bash
# Starts or stops the REAPI servers of the integration tests, all on unix
# sockets in RUN_DIR (nothing listens on the network):
#   servers.sh start RUN_DIR BIN_DIR   # BIN_DIR as build.sh printed it
#   servers.sh stop RUN_DIR
# start waits until each answers and writes RUN_DIR/env, the variables the
# tests read. Every server dies by itself after an idle time or a deadline
# (bazel-remote's --idle_timeout, `timeout` for Buildbarn), so a run that is
# killed leaves nothing behind for long; stop ends them by the PIDs recorded
# (each the leader of its own process group).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?start or stop}
run=${2:?RUN_DIR}
deadline=${GOBUILDJ_SERVERS_DEADLINE:-40m}

wait_for() { # wait_for SOCKET NAME
  for _ in $(seq 1 300); do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  echo "$2 did not start; its log:" >&2
  tail -20 "$run/$2.log" >&2
  return 1
}

start() { # start NAME COMMAND... in a process group of its own
  local name=$1
  shift
  setsid "$@" >"$run/$name.log" 2>&1 </dev/null &
  echo $! >>"$run/pids"
}

case $cmd in
start)
  bin=${3:?BIN_DIR}
  mkdir -p "$run/br" "$run/worker/build" "$run/worker/cache"
  : >"$run/pids"
  start bazel-remote "$bin/bazel-remote" --dir "$run/br" --max_size 1 --storage_mode uncompressed \
    --http_address "unix://$run/br-http.sock" --grpc_address "unix://$run/br-grpc.sock" \
    --idle_timeout 20m --access_log_level none
  for c in storage scheduler worker runner; do
    sed "s|RUN_DIR|$run|g" "$here/buildbarn/$c.jsonnet" >"$run/$c.jsonnet"
  done
  start bb_storage timeout "$deadline" "$bin/bb_storage" "$run/storage.jsonnet"
  start bb_scheduler timeout "$deadline" "$bin/bb_scheduler" "$run/scheduler.jsonnet"
  start bb_runner timeout "$deadline" "$bin/bb_runner" "$run/runner.jsonnet"
  wait_for "$run/worker/runner" bb_runner
  start bb_worker timeout "$deadline" "$bin/bb_worker" "$run/worker.jsonnet"
  worker_pgid=$(tail -1 "$run/pids")
  wait_for "$run/br-grpc.sock" bazel-remote
  wait_for "$run/storage.sock" bb_storage
  wait_for "$run/scheduler-client.sock" bb_scheduler
  cat >"$run/env" <<ENV
export GOBUILDJ_TEST_BAZEL_REMOTE=unix:$run/br-grpc.sock
export GOBUILDJ_TEST_BAZEL_REMOTE_DIR=$run/br
export GOBUILDJ_TEST_BUILDBARN=unix:$run/storage.sock
export GOBUILDJ_TEST_BAZEL_REMOTE_BIN=$bin/bazel-remote
export GOBUILDJ_TEST_BUILDBARN_WORKER_PGID=$worker_pgid
ENV
  ;;
stop)
  # Each server leads its process group (with `timeout` above it for
  # Buildbarn): signal the whole group.
  if [ -f "$run/pids" ]; then
    while read -r pid; do
      kill -TERM -- "-$pid" 2>/dev/null || true
    done <"$run/pids"
    while read -r pid; do
      for _ in $(seq 1 50); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL -- "-$pid" 2>/dev/null || true
    done <"$run/pids"
  fi
  ;;
*)
  echo "usage: $0 start RUN_DIR BIN_DIR | stop RUN_DIR" >&2
  exit 2
  ;;
esac
