#!/usr/bin/env bash
# An independent harness beside the load generator (issue 17): Postfix's own smtp-source drives the relay and
# Postfix in turn, and the mail goes to Postfix's smtp-sink (plaintext) or to the bench sink with STARTTLS. Each
# target is started fresh per series, so every series has a COLD run (the first MESSAGES after start, JIT and
# caches cold) followed by RUNS warm runs on the same process.
#
#   bench/smtp-source.sh                      # relay and postfix, series plaintext, starttls, keepalive
#   TARGETS=relay SERIES=plaintext RUNS=1 MESSAGES=2000 bench/smtp-source.sh
#
# Series: plaintext (new connection per message, smtp-source's default; delivery to smtp-sink), starttls (same,
# delivery with STARTTLS to the bench sink's self-signed certificate), keepalive (smtp-source -d: one
# connection per session for all its messages; delivery to smtp-sink). Knobs: SESSIONS=20 MESSAGES=5000
# SIZE_BYTES=4096 RUNS=2 TARGETS="relay postfix" SERIES="plaintext starttls keepalive"; RELAY_CMD (another
# build's launcher, to compare builds in the same run) and RELAY_LABEL (its name in the results, default relay).
# One JSON line per run in $RESULTS/smtp-source.jsonl, and a markdown table on stdout at the end.
# The relay keeps its defaults (fsync before every 250); it delivers through its normal MX path (the bench DNS
# fixture names 127.0.0.1 as mx.bench.test) with delivery.port pointed at the sink.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/postfix-lib.sh"
trap 'pf_stop; stop_all' EXIT

SIZE_BYTES=${SIZE_BYTES:-4096}
RUNS=${RUNS:-2}
TARGETS=${TARGETS:-relay postfix}
SERIES=${SERIES:-plaintext starttls keepalive}
OUT=$RESULTS/smtp-source.jsonl

# start_series_sink SERIES: smtp-sink (counting) or, for starttls, the bench sink with a self-signed
# certificate; sets TO_PORT (where the target delivers), TO_PID, and COUNT_FILE or TO_CONTROL.
start_series_sink() {
  COUNT_FILE= TO_CONTROL=
  if [[ $1 == starttls ]]; then
    start_sink "ss-$1" self
    TO_PORT=$SINK_PORT TO_PID=$SINK_PID TO_CONTROL=$SINK_CONTROL
  else
    TO_PORT=$(free_port)
    COUNT_FILE=$WORK/smtp-sink-$TO_PORT.out
    start_bg "$COUNT_FILE" smtp-sink -c -u nobody "127.0.0.1:$TO_PORT" 256
    TO_PID=$BG_PID
    wait_for_port "$TO_PORT" 10
  fi
}

# delivered: messages the sink of the current series has received so far.
delivered() {
  if [[ -n ${COUNT_FILE:-} ]]; then
    local n
    n=$(tr '\r' '\n' <"$COUNT_FILE" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2)
    echo "${n:-0}"
  else
    curl -fsS "${TO_CONTROL}stats?run=-" | grep -o '"messages_total":[0-9]*' | cut -d: -f2
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# one_run TARGET SERIES PHASE PORT [METRICS_URL]: smtp-source sends MESSAGES, then waits until the sink has
# them all; with the relay's /metrics URL the line also has the spool's fsyncs per accepted message.
one_run() {
  local target=$1 series=$2 phase=$3 port=$4 metrics=${5:-} keep=() before syncs t0 t1 t2 now
  [[ $series == keepalive ]] && keep=(-d)
  before=$(delivered)
  syncs=$(spool_syncs "$metrics")
  t0=$(date +%s.%N)
  smtp-source "${keep[@]}" -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE_BYTES" -f sender@load.invalid \
    -t bench@bench.test -M load.invalid "127.0.0.1:$port"
  t1=$(date +%s.%N)
  local deadline=$((SECONDS + DELIVERY_TIMEOUT_S))
  while (($(delivered) < before + MESSAGES)); do
    ((SECONDS < deadline)) || { bench_log "$target $series: only $(($(delivered) - before)) delivered"; return 1; }
    sleep 0.05
  done
  t2=$(date +%s.%N)
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  [[ $target == relay ]] && target=${RELAY_LABEL:-relay}
  awk -v t="$target" -v s="$series" -v p="$phase" -v m="$MESSAGES" -v n="$SESSIONS" -v t0="$t0" -v t1="$t1" \
    -v t2="$t2" -v d="$now" 'BEGIN { printf "{\"date\":\"%s\",\"target\":\"%s\",\"series\":\"%s\",\"phase\":\"%s\",\"messages\":%d,\"sessions\":%d,\"accept_msg_s\":%.0f,\"e2e_msg_s\":%.0f}\n", d, t, s, p, m, n, m / (t1 - t0), m / (t2 - t0) }' \
    | with_syncs "$metrics" "$syncs" | tee -a "$OUT"
}

# series_for TARGET SERIES: a fresh target process, one cold run, RUNS warm runs.
series_for() {
  local target=$1 series=$2 port metrics= r
  start_series_sink "$series"
  if [[ $target == relay ]]; then
    start_world plaintext
    # the world's own sink stays idle: the relay delivers to this series' sink instead
    sed -i "/^delivery:/,/^[a-z]/ s/^  port: .*/  port: $TO_PORT/" "$WORLD_DIR/relay.yaml"
    start_relay "$WORLD_DIR/relay.yaml" "$WORLD_DIR/relay.log"
    wait_for_port "$RELAY_PORT" 120
    port=$RELAY_PORT
    metrics=http://127.0.0.1:$ADMIN_PORT/metrics
  else
    pf_configure "$TO_PORT" may
    pf_start
    port=$PF_PORT
  fi
  one_run "$target" "$series" cold "$port" "$metrics"
  for ((r = 1; r <= RUNS; r++)); do
    one_run "$target" "$series" warm "$port" "$metrics"
  done
  if [[ $target == relay ]]; then
    stop_relay
    stop_pid "$WORLD_PID"
  else
    pf_stop
  fi
  stop_pid "$TO_PID"
}

table() {
  echo "| target | series | phase | accept msg/s | end-to-end msg/s | spool fsyncs per accepted message |"
  echo "|---|---|---|---:|---:|---:|"
  sed -E -e 's/.*"target":"([^"]*)","series":"([^"]*)","phase":"([^"]*)".*"accept_msg_s":([0-9]*),"e2e_msg_s":([0-9]*)(,"spool_fsyncs_per_msg":([0-9.]*))?.*/| \1 | \2 | \3 | \4 | \5 | \7 |/' \
    -e 's/\|  \|$/| n\/a |/' "$OUT"
}

install_postfix
bench_build
: >"$OUT"
for series in $SERIES; do
  for target in $TARGETS; do
    bench_log "smtp-source: $target, $series ($SESSIONS sessions, $MESSAGES x $SIZE_BYTES bytes, cold + $RUNS warm)"
    series_for "$target" "$series"
  done
done
table
