# Shared shell helpers of bench/run.sh, bench/postfix.sh and bench/memory.sh (sourced, not run).
# Every process started here is remembered by its pid and stopped by that pid only.

BENCH_ROOT=${BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BENCH_JAR=$BENCH_ROOT/bench/target/relay-bench.jar
RESULTS=${RESULTS:-$BENCH_ROOT/bench/target/results}
WORK=${WORK:-$(mktemp -d /tmp/relay-bench.XXXXXX)}
SESSIONS=${SESSIONS:-20}
MESSAGES=${MESSAGES:-5000}
# messages per warm-up round (warm_rounds repeats rounds until the relay's JIT has settled); cold figures are a
# separate run (WARMUP=0 on a fresh relay)
WARMUP=${WARMUP:-10000}
SIZE=${SIZE:-4K}
RUNS=${RUNS:-3}
DELIVERY_TIMEOUT_S=${DELIVERY_TIMEOUT_S:-300}
mkdir -p "$RESULTS" "$WORK"
export RESULTS WORK SESSIONS MESSAGES WARMUP SIZE RUNS DELIVERY_TIMEOUT_S

BENCH_PIDS=()

bench_log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

bench_build() {
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    bench_log "building (./mvnw -B -q -DskipTests package)"
    (cd "$BENCH_ROOT" && ./mvnw -B -q -DskipTests package)
  fi
  [[ -f $BENCH_JAR ]] || { echo "missing $BENCH_JAR: build first" >&2; exit 1; }
}

# wait_for_line FILE PATTERN [SECONDS]: waits until FILE has a line matching PATTERN.
wait_for_line() {
  local file=$1 pattern=$2 limit=${3:-60} i
  for ((i = 0; i < limit * 10; i++)); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$pattern' in $file:" >&2
  tail -20 "$file" >&2
  return 1
}

# wait_for_port PORT [SECONDS]: waits until something accepts TCP connections on 127.0.0.1:PORT.
wait_for_port() {
  local port=$1 limit=${2:-60} i
  for ((i = 0; i < limit * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$port after ${limit}s" >&2
  return 1
}

# start_bg LOGFILE CMD...: starts CMD in the background, remembers its pid in BG_PID and BENCH_PIDS.
start_bg() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  BG_PID=$!
  BENCH_PIDS+=("$BG_PID")
}

stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    stop_pid "$pid"
  done
  BENCH_PIDS=()
}

# start_sink NAME TLS(none|self): sets SINK_PORT, SINK_CONTROL, SINK_PID.
start_sink() {
  local out=$WORK/sink-$1.out
  start_bg "$out" java -Xmx1g -jar "$BENCH_JAR" sink --tls "$2"
  SINK_PID=$BG_PID
  wait_for_line "$out" '^SINK_CONTROL='
  eval "$(grep -E '^SINK_(PORT|CONTROL)=' "$out")"
}

# run_load TARGET RUN_ID SINK_CONTROL COUNT [extra load options]: prints one JSON line.
run_load() {
  local target=$1 run=$2 control=$3 count=$4
  shift 4
  java -Xmx2g -jar "$BENCH_JAR" load --target "$target" --run-id "$run" --sink-control "$control" \
    --sessions "$SESSIONS" --messages "$count" --size "$SIZE" --recipient bench@bench.test \
    --delivery-timeout-s "$DELIVERY_TIMEOUT_S" "$@"
}

# spool_syncs METRICS_URL: "FSYNCS RECEIVED" from the relay's /metrics (relay_queue_spool_fsyncs_total and
# relay_queue_received_total); "0 0" when there is no URL.
spool_syncs() {
  [[ -n ${1:-} ]] || { echo "0 0"; return; }
  curl -fsS "$1" | awk '/^relay_queue_spool_fsyncs_total/ {f = $2} /^relay_queue_received_total/ {r = $2}
    END {printf "%d %d\n", f, r}'
}

# tree_cpu_ms PID: CPU time (user + system) used so far by the process PID and every process below it, including
# children they have already reaped (cutime/cstime), in milliseconds; 0 without a PID. For Postfix's master this
# counts every smtpd, cleanup, qmgr and smtp process, those that exited too; for the relay it is its JVM.
tree_cpu_ms() {
  [[ -n ${1:-} && -r /proc/$1/stat ]] || { echo 0; return; }
  # /proc/PID/stat after the parenthesised command name: $2 ppid, $12 utime, $13 stime, $14 cutime, $15 cstime
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" && echo "${f//[^0-9]/} ${line##*) }"
  done | awk -v root="$1" -v hz="$(getconf CLK_TCK)" '
    { parent[$1] = $3; ticks[$1] = $13 + $14 + $15 + $16 }
    END { for (p in ticks) { q = p; while (q != "" && q != root && q in parent && q != 0) q = parent[q]
            if (q == root) t += ticks[p] }
          printf "%d\n", t * 1000 / hz }'
}

# thread_ticks PID: one line per thread of PID, "TID NAME UTIME STIME" in clock ticks (digits in names become #,
# so a pool's threads share a name).
thread_ticks() {
  local t line name
  for t in /proc/$1/task/*; do
    read -r line 2>/dev/null <"$t/stat" || continue
    read -r name 2>/dev/null <"$t/comm" || continue
    line=${line##*) }
    echo "${t##*/} ${name//[0-9 ]/#} $(cut -d' ' -f12,13 <<<"$line")"
  done
}

# thread_cpu_report BEFORE AFTER: CPU seconds (total, user, system) per thread name between two thread_ticks
# snapshots, the largest first; each thread counts from its BEFORE line (from zero when it started in between),
# threads that ended in between are missing.
thread_cpu_report() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { u0[$1] = $3; s0[$1] = $4; next }
      { u[$2] += $3 - u0[$1]; s[$2] += $4 - s0[$1] }
    END { for (n in u) { tu += u[n]; ts += s[n]; printf "%8.2f %8.2f %8.2f  %s\n", (u[n] + s[n]) / hz, u[n] / hz, s[n] / hz, n }
          printf "%8.2f %8.2f %8.2f  %s\n", (tu + ts) / hz, tu / hz, ts / hz, "(all threads)" }' "$1" "$2" \
    | sort -rn -k1,1 | awk 'BEGIN { print "  CPU s   user s    sys s  thread" } $1 > 0 { print }'
}

# with_syncs METRICS_URL BEFORE: reads one JSON line on stdin and adds "spool_fsyncs_per_msg" (the syncs the
# relay's spool made per message it accepted since BEFORE, from spool_syncs) when there is a URL, and
# "cpu_ms_per_msg" (CPU the target used from the start of the run until the sink had every message, intake and
# delivery together, per accepted message) when CPU_PID names the target's process (start_relay, pf_start).
with_syncs() {
  local line f0 r0 c0 f1=0 r1=0 c1
  read -r line
  read -r f0 r0 c0 <<<"$2"
  [[ -n ${1:-} ]] && read -r f1 r1 <<<"$(spool_syncs "$1")"
  c1=$(tree_cpu_ms "${CPU_PID:-}")
  awk -v l="$line" -v f=$((f1 - f0)) -v r=$((r1 - r0)) -v c=$((c1 - c0)) -v url="${1:-}" -v pid="${CPU_PID:-}" \
    'BEGIN { sub(/[}]$/, "", l); printf "%s", l
      if (url != "") printf ",\"spool_fsyncs_per_msg\":%.3f", (r > 0 ? f / r : 0)
      if (match(l, /"accepted":[0-9]+/)) a = substr(l, RSTART + 11, RLENGTH - 11)
      if (pid != "" && a > 0) printf ",\"cpu_ms_per_msg\":%.3f", c / a
      printf "}\n" }'
}

# relay_under_test: true while the target whose CPU is counted is a running relay JVM (start_relay), not Postfix.
relay_under_test() { [[ -n ${RELAY_JAVA_PID:-} && ${CPU_PID:-} == "$RELAY_JAVA_PID" ]]; }

# jit_percent BEFORE AFTER: the share (integer percent) of the relay's CPU between two thread_ticks snapshots that
# its JIT compiler threads (C1 and C2, "C# CompilerThread#") used.
jit_percent() {
  thread_cpu_report "$1" "$2" | awk '$4 == "(all" { all = $1 } $4 == "C##CompilerThre" { jit += $1 }
    END { printf "%d\n", (all > 0 ? 100 * jit / all : 0) }'
}

# warm_rounds NAME PID SEND: warm-up rounds of WARMUP messages, each sent by `SEND RUN COUNT` (output discarded).
# With the PID of a relay JVM the rounds go on until its JIT compiler threads used at most WARM_JIT_PERCENT
# (default 10) percent of its CPU in WARM_QUIET_ROUNDS (default 2) rounds in a row, WARMUP_ROUNDS (default 10) at
# most: the relay's hot paths run once per message, and C2 compiles them for tens of thousands of messages
# (docs/performance.md), so a fixed count measures a half-compiled relay on one machine and a warm one on another;
# and one quiet round can be a lull between two bursts of compilation. With an empty PID (Postfix), one round.
# Sets WARMED_UP to the messages sent.
warm_rounds() {
  local name=$1 pid=$2 send=$3 round jit quiet=0
  WARMED_UP=0
  for ((round = 1; round <= ${WARMUP_ROUNDS:-10}; round++)); do
    bench_log "$name: warm-up round $round ($WARMUP messages)"
    [[ -n $pid ]] && thread_ticks "$pid" >"$WORK/warm.before"
    "$send" "${name//[^A-Za-z0-9]/}w$round$RANDOM" "$WARMUP" >/dev/null
    WARMED_UP=$((WARMED_UP + WARMUP))
    [[ -n $pid ]] && ((WARMUP > 0)) || return 0
    thread_ticks "$pid" >"$WORK/warm.after"
    jit=$(jit_percent "$WORK/warm.before" "$WORK/warm.after")
    bench_log "$name: the JIT compiler threads used $jit % of the relay's CPU in that round"
    if ((jit > ${WARM_JIT_PERCENT:-10})); then quiet=0; else quiet=$((quiet + 1)); fi
    ((quiet < ${WARM_QUIET_ROUNDS:-2})) || return 0
  done
}

# measure NAME TARGET SINK_CONTROL [METRICS_URL]: the warm-up and RUNS measured runs; results in
# $RESULTS/NAME.jsonl, with the spool's syncs per accepted message when the relay's /metrics URL is given and
# the warm-up's length ("warmup_messages").
measure() {
  local name=$1 target=$2 control=$3 metrics=${4:-} r before
  # shellcheck disable=SC2317 # called by warm_rounds; target and control are this function's locals
  send_to_target() { run_load "$target" "$1" "$control" "$2"; }
  warm_rounds "$name" "$(relay_under_test && echo "$CPU_PID")" send_to_target
  : >"$RESULTS/$name.jsonl"
  for ((r = 1; r <= RUNS; r++)); do
    bench_log "$name: run $r/$RUNS ($MESSAGES messages, $SESSIONS sessions, $SIZE)"
    before="$(spool_syncs "$metrics") $(tree_cpu_ms "${CPU_PID:-}")"
    relay_under_test && thread_ticks "$CPU_PID" >"$WORK/threads.before"
    run_load "$target" "${name//[^A-Za-z0-9]/}r$r$RANDOM" "$control" "$MESSAGES" | with_syncs "$metrics" "$before" \
      | sed "s/}\$/,\"warmup_messages\":$WARMED_UP}/" | tee -a "$RESULTS/$name.jsonl"
    if relay_under_test; then
      # where the relay's CPU went during the run, by thread (JIT, GC, intake, delivery, queue)
      thread_ticks "$CPU_PID" >"$WORK/threads.after"
      thread_cpu_report "$WORK/threads.before" "$WORK/threads.after" >"$RESULTS/$name-r$r.threads"
    fi
  done
}

# machine_info: facts about this machine for the report, as KEY=VALUE lines in $RESULTS/machine.env.
machine_info() {
  {
    echo "NPROC='$(nproc)'"
    echo "MEM='$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)'"
    echo "CPU='$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)'"
    echo "JAVA='$(java -version 2>&1 | head -2 | tr '\n' ' ' | tr -d "'")'"
    echo "KERNEL='$(uname -r)'"
    echo "DATE='$(date -u +%Y-%m-%dT%H:%MZ)'"
    echo "LOADAVG='$(cut -d' ' -f1-3 /proc/loadavg)'"
    # the disk the spools live on: durable file writes per second bound any relay that fsyncs before its 250
    java -jar "$BENCH_JAR" disk --dir "$WORK" --threads "$SESSIONS" --size "$SIZE" --seconds 5
  } >"$RESULTS/machine.env"
}

# Relay command: the repo's launcher by default (./relay run --config FILE). JVM options reach it through
# JAVA_TOOL_OPTIONS, which every JVM honours whatever the launcher does.
RELAY_CMD=${RELAY_CMD:-$BENCH_ROOT/relay}

# start_relay CONFIG LOG: starts the relay in its own process group; sets RELAY_PID (the group) and
# RELAY_JAVA_PID and CPU_PID (the JVM, for /proc and jcmd).
start_relay() {
  start_bg "$2" setsid $RELAY_CMD run --config "$1"
  RELAY_PID=$BG_PID
  local i
  RELAY_JAVA_PID=
  for ((i = 0; i < 600; i++)); do
    if [[ $(cat "/proc/$RELAY_PID/comm" 2>/dev/null) == java ]]; then
      RELAY_JAVA_PID=$RELAY_PID
    else
      # the relay's JVM runs a jar; a launcher may first run short-lived JVMs (./relay asks java for its version)
      RELAY_JAVA_PID=$(pgrep -g "$RELAY_PID" -f -- ' -jar ' | head -1 || true)
      [[ $(cat "/proc/$RELAY_JAVA_PID/comm" 2>/dev/null) == java ]] || RELAY_JAVA_PID=
    fi
    [[ -n $RELAY_JAVA_PID ]] && CPU_PID=$RELAY_JAVA_PID && return 0
    sleep 0.1
  done
  echo "relay did not start a JVM; see $2" >&2
  tail -20 "$2" >&2
  return 1
}

# stop_relay: SIGTERM to the relay's process group (the launcher and its JVM), then waits.
stop_relay() {
  CPU_PID=
  kill -TERM -- "-$RELAY_PID" 2>/dev/null || true
  wait "$RELAY_PID" 2>/dev/null || true
}

# start_world VARIANT [extra world options]: sets WORLD_PID, WORLD_DIR and sources its world.env.
start_world() {
  local v=$1
  shift
  WORLD_DIR=$WORK/world-$v-$RANDOM
  start_bg "$WORLD_DIR.out" java -Xmx1g -jar "$BENCH_JAR" world --variant "$v" --dir "$WORLD_DIR" "$@"
  WORLD_PID=$BG_PID
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -f $WORLD_DIR/world.env ]] && break
    if ! kill -0 "$WORLD_PID" 2>/dev/null; then
      echo "bench world for $v exited: $(grep -m1 -E 'Exception|Error' "$WORLD_DIR.out" || tail -3 "$WORLD_DIR.out")" >&2
      return 1
    fi
    sleep 0.1
  done
  # shellcheck disable=SC1091
  source "$WORLD_DIR/world.env"
}

# heap_used_kib PID: heap in use right now, from jcmd GC.heap_info (KiB).
heap_used_kib() {
  jcmd "$1" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9'
  echo
}

rss_kib() {
  awk '/VmRSS/ {print $2}' "/proc/$1/status"
}
