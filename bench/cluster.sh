#!/usr/bin/env bash
# Two relay nodes on one PostgreSQL queue (issue 10): the plaintext world of bench/run.sh (sink + DNS fixture),
# two relays with spool.backend postgres sharing one fresh database, and half the load submitted to each node.
# Warms up, then RUNS measured runs. Prints and keeps ($RESULTS/cluster-postgres-NODES.jsonl), for each run, one
# JSON line per node and a summary line ("run": R), and last a line of the runs' medians ("cluster-postgres-median",
# with every run's msg/s; the middle run of three, so one run slowed by something else on the machine does not
# decide the figure). A run's summary has: end-to-end msg/s
# (all messages of both nodes, first submission to last arrival at the sink), accept p50/p99 per node,
# duplicates at the sink (counted again after a settle pause, so a late second delivery shows up too), the nodes'
# CPU per accepted message (cpu_ms_per_msg, as bench/run.sh's) and the database's commits per accepted message
# (db_commits_per_msg, from pg_stat_database: intake, leases, results, renewals and the bench's own queries); when
# the database server runs on this machine, its CPU per accepted message too (db_cpu_ms_per_msg, null otherwise: the postmaster's
# process tree, every backend, the WAL writer and checkpointer, also backends of other databases of that server);
# and each node's CPU seconds per thread name during the run in $RESULTS/relay-cluster-NODE-rR.threads.
#
#   bench/cluster.sh
#
# Knobs (environment): SESSIONS=20 (split evenly over the nodes) MESSAGES=5000 SIZE=4K RUNS=3
# WARMUP=10000 (messages per warm-up round; rounds go on until the first node's JIT compiler threads used at most
# WARM_JIT_PERCENT=10 percent of its CPU in WARM_QUIET_ROUNDS=2 rounds in a row, WARMUP_ROUNDS=10 at most, as in
# bench/run.sh)
# NODE_COUNT=2 (1 measures the postgres backend without a second node) POOL_SIZE=10 (spool.postgres.pool-size per node) PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=relay_test
# PG_PASSWORD=relay_test PG_ADMIN_DB=relay_test (where CREATE DATABASE runs; the role needs CREATEDB)
# KEEP_DB=1 (keep the run's database for inspection) SKIP_BUILD=1 RELAY_CMD=./relay RESULTS=...
# PROFILE=1 (a JFR recording of each node, settings=profile, in $RESULTS/relay-cluster-NODE.jfr, written when it stops)
# Each run creates its own database relay_bench_<time>_<pid> and drops it at the end, so it never touches the
# tables of a database someone else uses; the relays create their tables (Flyway) at start, as in production.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
POOL_SIZE=${POOL_SIZE:-10}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-relay_test}
PG_PASSWORD=${PG_PASSWORD:-relay_test}
PG_ADMIN_DB=${PG_ADMIN_DB:-relay_test}
PG_DB=relay_bench_$(date +%Y%m%d%H%M%S)_$$
NODE_COUNT=${NODE_COUNT:-2}
NODES=(a b c d e f g h)
NODES=("${NODES[@]:0:NODE_COUNT}")
NODE_PIDS=()
NODE_JVMS=()

pg() { PGPASSWORD=$PG_PASSWORD psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_ADMIN_DB" -v ON_ERROR_STOP=1 -qAtc "$1"; }

cleanup() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  stop_all
  if [[ ${DB_CREATED:-0} == 1 && ${KEEP_DB:-0} != 1 ]]; then
    pg "DROP DATABASE IF EXISTS $PG_DB" || bench_log "could not drop database $PG_DB; drop it by hand"
  fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# node_config NODE SMTP_PORT ADMIN_PORT: the world's relay.yaml with this node's ports and spool dir, and the
# shared postgres queue; prints the path.
node_config() {
  local node=$1 smtp=$2 admin=$3 out=$WORLD_DIR/relay-$1.yaml
  mkdir -p "$WORLD_DIR/spool-$node"
  awk -v smtp="$smtp" -v admin="$admin" -v spool="$WORLD_DIR/spool-$node" \
      -v url="jdbc:postgresql://$PG_HOST:$PG_PORT/$PG_DB" -v user="$PG_USER" -v pw="$WORK/pg.password" \
      -v pool="$POOL_SIZE" '
    /^[a-z-]+:/ { section = $1 }
    section == "server:" && /^  listen:/ { print "  listen: 127.0.0.1:" smtp; next }
    section == "admin:" && /^  listen:/ { print "  listen: 127.0.0.1:" admin; next }
    section == "spool:" && /^  dir:/ {
      print "  dir: " spool
      print "  backend: postgres"
      print "  postgres:"
      print "    url: " url
      print "    user: " user
      print "    password-file: " pw
      print "    pool-size: " pool
      next
    }
    { print }' "$WORLD_DIR/relay.yaml" >"$out"
  # every rewrite must have happened: a missed one would run both nodes on one port or on the file spool
  for key in "listen: 127.0.0.1:$smtp" "listen: 127.0.0.1:$admin" "backend: postgres"; do
    grep -qF "$key" "$out" || { echo "node $node config lacks '$key': relay.yaml changed shape?" >&2; return 1; }
  done
  echo "$out"
}

# load_both RUN COUNT: half of COUNT and of SESSIONS to each node at once; one JSON line per node on stdout.
load_both() {
  local run=$1 count=$2 i pids=()
  for i in "${!NODES[@]}"; do
    SESSIONS=$((SESSIONS / ${#NODES[@]})) run_load "127.0.0.1:${NODE_SMTP[$i]}" "${run}${NODES[$i]}" \
      "$SINK_CONTROL" $((count / ${#NODES[@]})) >"$WORK/load-$run-${NODES[$i]}.json" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  for i in "${NODES[@]}"; do cat "$WORK/load-$run-$i.json"; done
}

# nodes_cpu_ms: CPU (user + system) used so far by every node's JVM, in milliseconds (lib.sh tree_cpu_ms).
nodes_cpu_ms() {
  local pid t=0
  for pid in "${NODE_JVMS[@]}"; do t=$((t + $(tree_cpu_ms "$pid"))); done
  echo "$t"
}

# db_server_pid: the postmaster of the database server when it listens on this machine (PG_SERVER_PID, or the
# process listening on PG_PORT as ss shows it), else nothing.
db_server_pid() {
  local pid=${PG_SERVER_PID:-}
  [[ -n $pid ]] || pid=$(ss -Hltnp "sport = :$PG_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] && echo "$pid"
}

# db_commits: transactions committed so far in the run's database (pg_stat_database, every node's and ours).
db_commits() {
  pg "SELECT pg_stat_force_next_flush()" >/dev/null 2>&1 || true
  pg "SELECT xact_commit FROM pg_stat_database WHERE datname = '$PG_DB'"
}

# sink_duplicates RUN_ID: arrivals beyond the first of each message id, from the sink's own log.
sink_duplicates() {
  curl -fsS "${SINK_CONTROL%/}/ids?run=$1" | awk '{ d += $3 - 1 } END { print d + 0 }'
}

command -v psql >/dev/null || { bench_log "cluster: SKIPPED (psql not found)"; exit 1; }
bench_build
printf '%s\n' "$PG_PASSWORD" >"$WORK/pg.password"
chmod 600 "$WORK/pg.password"
pg "CREATE DATABASE $PG_DB OWNER $PG_USER"
DB_CREATED=1
bench_log "cluster: database $PG_DB on $PG_HOST:$PG_PORT; starting the plaintext world"
start_world plaintext

NODE_SMTP=("$RELAY_PORT")
NODE_ADMIN=("$ADMIN_PORT")
for ((i = 1; i < ${#NODES[@]}; i++)); do
  NODE_SMTP+=("$(free_port)")
  NODE_ADMIN+=("$(free_port)")
done
for i in "${!NODES[@]}"; do
  cfg=$(node_config "${NODES[$i]}" "${NODE_SMTP[$i]}" "${NODE_ADMIN[$i]}")
  if [[ ${PROFILE:-0} == 1 ]]; then
    JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$RESULTS/relay-cluster-${NODES[$i]}.jfr" \
      start_relay "$cfg" "$WORLD_DIR/relay-${NODES[$i]}.log"
  else
    start_relay "$cfg" "$WORLD_DIR/relay-${NODES[$i]}.log"
  fi
  NODE_PIDS+=("$RELAY_PID")
  NODE_JVMS+=("$RELAY_JAVA_PID")
  # one after the other: Flyway's advisory lock would serialise them anyway, and a failing first node is clearer
  wait_for_port "${NODE_SMTP[$i]}" 120
  bench_log "cluster: node ${NODES[$i]} on 127.0.0.1:${NODE_SMTP[$i]} (admin ${NODE_ADMIN[$i]})"
done

tag=cl$RANDOM
warm_rounds cluster "${NODE_JVMS[0]}" load_both # the first node's JIT decides when the nodes are warm
db_pid=$(db_server_pid || true)

# measured_run R: run R of RUNS; prints each node's JSON line and then the run's summary line.
measured_run() {
  local r=$1 load cpu0 db_cpu0 commits0 runs cpu_ms db_cpu_ms=null commits dups=0 i delivered_by=()
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  bench_log "cluster: run $r/$RUNS ($MESSAGES messages, $SESSIONS sessions over ${#NODES[@]} nodes, $SIZE; load $load)"
  cpu0=$(nodes_cpu_ms)
  for i in "${!NODES[@]}"; do thread_ticks "${NODE_JVMS[$i]}" >"$WORK/threads0-${NODES[$i]}"; done
  db_cpu0=$(tree_cpu_ms "$db_pid")
  commits0=$(db_commits)
  runs=$(load_both "${tag}r$r" "$MESSAGES")
  # as lib.sh's cpu_ms_per_msg: from the start of the run until the sink had every message
  cpu_ms=$(($(nodes_cpu_ms) - cpu0))
  for i in "${!NODES[@]}"; do
    thread_cpu_report "$WORK/threads0-${NODES[$i]}" <(thread_ticks "${NODE_JVMS[$i]}") \
      >"$RESULTS/relay-cluster-${NODES[$i]}-r$r.threads"
  done
  [[ -n $db_pid ]] && db_cpu_ms=$(($(tree_cpu_ms "$db_pid") - db_cpu0))
  sleep 5 # a second delivery of a message (two nodes holding one lease) would arrive after the first
  commits=$(($(db_commits) - commits0))
  for i in "${NODES[@]}"; do dups=$((dups + $(sink_duplicates "${tag}r$r$i"))); done
  for i in "${NODES[@]}"; do
    delivered_by+=("$(grep -c '"outcome":"delivered' "$WORLD_DIR/relay-$i.log" || true)")
  done
  echo "$runs"
  jq -cs --argjson run "$r" --arg load "$load" --argjson dups "$dups" --arg db "$PG_DB" --argjson cpu "$cpu_ms" \
      --argjson warmed "$WARMED_UP" \
      --argjson dbcpu "$db_cpu_ms" \
      --argjson commits "$commits" \
      --argjson by "$(printf '%s\n' "${delivered_by[@]}" | jq -cs .)" '{
    variant: "cluster-postgres", run: $run, nodes: length, sessions: (map(.sessions) | add),
    messages: (map(.messages) | add), accepted: (map(.accepted) | add), delivered: (map(.delivered) | add),
    e2e_seconds: (map(.e2e_seconds) | max),
    e2e_msgs_per_s: ((map(.delivered) | add) / (map(.e2e_seconds) | max)),
    accept_msgs_per_s: (map(.accept_msgs_per_s) | add),
    accept_p50_ms: map(.accept_p50_ms), accept_p99_ms: map(.accept_p99_ms),
    delivery_p50_ms: map(.delivery_p50_ms), delivery_p99_ms: map(.delivery_p99_ms),
    duplicates_at_load_end: (map(.duplicates) | add), duplicates_after_settle: $dups, warmup_messages: $warmed,
    cpu_ms_per_msg: ($cpu / (map(.accepted) | add)),
    db_cpu_ms_per_msg: (if $dbcpu == null then null else $dbcpu / (map(.accepted) | add) end),
    db_commits_per_msg: ($commits / (map(.accepted) | add)),
    deliveries_logged_by_node_incl_warmup: $by, loadavg_before_run: $load, database: $db }' <<<"$runs"
}

out=$RESULTS/cluster-postgres-${#NODES[@]}.jsonl
: >"$out"
for ((r = 1; r <= RUNS; r++)); do measured_run "$r" | tee -a "$out"; done
# the last line: the medians over the runs (as bench/run.sh's tables), and every run's msg/s
jq -cs 'map(select(.variant == "cluster-postgres")) | def median(f): map(f) | sort | .[(length - 1) / 2 | floor];
  { variant: "cluster-postgres-median", runs: length, nodes: .[0].nodes, messages: .[0].messages,
    e2e_msgs_per_s: median(.e2e_msgs_per_s), e2e_msgs_per_s_by_run: map(.e2e_msgs_per_s | floor),
    cpu_ms_per_msg: median(.cpu_ms_per_msg), db_cpu_ms_per_msg: (if any(.db_cpu_ms_per_msg == null) then null else median(.db_cpu_ms_per_msg) end),
    db_commits_per_msg: median(.db_commits_per_msg), accepted: (map(.accepted) | add),
    delivered: (map(.delivered) | add), duplicates_after_settle: (map(.duplicates_after_settle) | add),
    warmup_messages: .[0].warmup_messages }' "$out" | tee -a "$out"
