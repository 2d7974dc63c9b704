#!/usr/bin/env bash
# Memory and recovery of the relay (issue 9):
#  1. with the sink down, submit QUEUE_COUNT (100,000) 4 KiB messages; measure RSS (/proc) and heap used after a
#     full GC (jcmd GC.heap_info);
#  2. stop the relay, start it again on the same spool, and time start-up recovery: from process start to the
#     first log line matching RECOVERY_PATTERN (and, separately, to the SMTP port accepting);
#  3. with the sink up and the heap capped at BIG_XMX (128m), relay BIG_COUNT messages of BIG_SIZE (35M) over 4
#     sessions and sample heap use every second; the same for SMALL_COUNT (5000) 4K messages. 4 x 35 MiB in flight cannot fit in a
#     128 MiB heap, so completing at all shows content is streamed, and the peaks compare the two sizes.
# Results: $RESULTS/memory.env (read by the report).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap 'stop_all' EXIT
QUEUE_COUNT=${QUEUE_COUNT:-100000}
RECOVERY_PATTERN=${RECOVERY_PATTERN:-spool recovery of}
BIG_SIZE=${BIG_SIZE:-35M}
BIG_COUNT=${BIG_COUNT:-16}
BIG_XMX=${BIG_XMX:-128m}
SMALL_COUNT=${SMALL_COUNT:-5000}
OUT=$RESULTS/memory.env
: >"$OUT"
record() { echo "$1='$2'" | tee -a "$OUT"; }

bench_build

bench_log "memory: queueing $QUEUE_COUNT messages with the sink down"
start_world plaintext --sink-down true
QUEUE_WORLD_PID=$WORLD_PID
QUEUE_CONFIG=$WORLD_DIR/relay.yaml
start_relay "$QUEUE_CONFIG" "$WORLD_DIR/relay.log"
wait_for_port "$RELAY_PORT" 120
java -Xmx2g -jar "$BENCH_JAR" load --target "127.0.0.1:$RELAY_PORT" --run-id queue --sessions "$SESSIONS" \
  --messages "$QUEUE_COUNT" --size 4K | tee "$RESULTS/memory-queue.jsonl"
record QUEUED "$(grep -o '"accepted":[0-9]*' "$RESULTS/memory-queue.jsonl" | tr -dc '0-9')"
sleep 10 # let delivery attempts fail and the queue settle into its deferred state
jcmd "$RELAY_JAVA_PID" GC.run >/dev/null
record RSS_KIB "$(rss_kib "$RELAY_JAVA_PID")"
record HEAP_USED_KIB "$(heap_used_kib "$RELAY_JAVA_PID")"
stop_relay

bench_log "memory: restarting on the full spool"
start=$(date +%s.%N)
start_relay "$QUEUE_CONFIG" "$WORLD_DIR/relay-restart.log"
recovered=
while kill -0 "$RELAY_PID" 2>/dev/null; do
  now=$(date +%s.%N)
  if [[ -z $recovered ]] && grep -q -- "$RECOVERY_PATTERN" "$WORLD_DIR/relay-restart.log"; then
    recovered=$now
    break
  fi
  (( $(echo "$now - $start > 300" | bc) )) && break
  sleep 0.05
done
wait_for_port "$RELAY_PORT" 300
listening=$(date +%s.%N)
record RECOVERY_S "$([[ -n $recovered ]] && printf '%.2f' "$(echo "$recovered - $start" | bc)")"
record RECOVERY_LOG_LINE "$(grep -m1 -- "$RECOVERY_PATTERN" "$WORLD_DIR/relay-restart.log" | tr -d "'" | cut -c1-200)"
record LISTENING_AFTER_RESTART_S "$(printf '%.2f' "$(echo "$listening - $start" | bc)")"
jcmd "$RELAY_JAVA_PID" GC.run >/dev/null
record RESTART_HEAP_USED_KIB "$(heap_used_kib "$RELAY_JAVA_PID")"
stop_relay
stop_pid "$QUEUE_WORLD_PID"

# peak_heap_during SIZE COUNT KEY: relays COUNT messages of SIZE with the heap capped; records the peak sample.
peak_heap_during() {
  local size=$1 count=$2 key=$3 peak=0 h sampler
  start_world plaintext
  JAVA_TOOL_OPTIONS="-Xmx$BIG_XMX" start_relay "$WORLD_DIR/relay.yaml" "$WORLD_DIR/relay.log"
  wait_for_port "$RELAY_PORT" 120
  (
    while kill -0 "$RELAY_JAVA_PID" 2>/dev/null; do
      heap_used_kib "$RELAY_JAVA_PID"
      sleep 1
    done
  ) >"$WORLD_DIR/heap-samples.txt" &
  sampler=$!
  SESSIONS=4 SIZE=$size run_load "127.0.0.1:$RELAY_PORT" "big$RANDOM" "$SINK_CONTROL" "$count" \
    | tee -a "$RESULTS/memory-$key.jsonl"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  for h in $(cat "$WORLD_DIR/heap-samples.txt"); do
    ((h > peak)) && peak=$h
  done
  record "${key}_HEAP_SAMPLES" "$(wc -l <"$WORLD_DIR/heap-samples.txt")"
  record "${key}_HEAP_PEAK_KIB" "$peak"
  stop_relay
  stop_pid "$WORLD_PID"
}

bench_log "memory: relaying $BIG_COUNT messages of $BIG_SIZE with -Xmx$BIG_XMX"
record BIG_SIZE "$BIG_SIZE"
record BIG_XMX "$BIG_XMX"
peak_heap_during "$BIG_SIZE" "$BIG_COUNT" BIG
bench_log "memory: the same with 4K messages, for comparison"
peak_heap_during 4K "$SMALL_COUNT" SMALL
bench_log "done: $OUT"
