#!/usr/bin/env bash
# The benchmark suite in one command (issue 9). Builds, runs every part, and rewrites the generated section of
# docs/performance.md from the results.
#
#   bench/run.sh            # everything: postfix + upper bound, the four relay variants, memory, JMH, report
#   bench/run.sh relay      # only the relay variants (then: bench/run.sh report)
#   bench/run.sh postfix | memory | jmh | report
#
# Knobs (environment): SESSIONS=20 MESSAGES=10000 SIZE=4K RUNS=3 WARMUP=2000 VARIANTS="plaintext starttls dane
# mta-sts" RELAY_CMD=./relay SKIP_BUILD=1 RESULTS=bench/target/results. Everything listens on 127.0.0.1 only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap 'stop_all' EXIT
VARIANTS=${VARIANTS:-plaintext starttls dane mta-sts}

relay_variant() {
  local v=$1
  start_world "$v" || return 1
  start_relay "$WORLD_DIR/relay.yaml" "$WORLD_DIR/relay.log" || return 1
  wait_for_port "$RELAY_PORT" 120 || return 1
  measure "relay-$v" "127.0.0.1:$RELAY_PORT" "$SINK_CONTROL"
}

relay_variants() {
  local v
  if [[ ! -x $RELAY_CMD ]]; then
    bench_log "relay: SKIPPED ($RELAY_CMD not found; set RELAY_CMD)"
    return 0
  fi
  for v in $VARIANTS; do
    bench_log "relay, $v: starting the world (sink, DNS fixture, policy server) and the relay"
    relay_variant "$v" || bench_log "relay, $v: FAILED or SKIPPED (see the messages above; logs in $WORK)"
    [[ -n ${RELAY_PID:-} ]] && stop_relay
    [[ -n ${WORLD_PID:-} ]] && stop_pid "$WORLD_PID"
    RELAY_PID= WORLD_PID=
  done
}

jmh() {
  bench_log "JMH hot paths"
  (cd "$RESULTS" && java -jar "$BENCH_JAR" jmh -f 1 -wi 2 -i 3 -rff "$RESULTS/jmh-result.json")
}

report() {
  bench_log "writing docs/performance.md"
  java -jar "$BENCH_JAR" report --results "$RESULTS" --doc "$BENCH_ROOT/docs/performance.md"
}

part=${1:-all}
bench_build
export SKIP_BUILD=1
case $part in
  all)
    machine_info
    "$BENCH_ROOT/bench/postfix.sh"
    relay_variants
    "$BENCH_ROOT/bench/memory.sh"
    jmh
    report
    ;;
  relay) machine_info; relay_variants ;;
  postfix) "$BENCH_ROOT/bench/postfix.sh" ;;
  memory) "$BENCH_ROOT/bench/memory.sh" ;;
  jmh) jmh ;;
  report) report ;;
  *) echo "usage: bench/run.sh [all|relay|postfix|memory|jmh|report]" >&2; exit 2 ;;
esac
