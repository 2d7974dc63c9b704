#!/usr/bin/env bash
# The benchmark suite in one command (issue 9). Builds, runs every part, and rewrites the generated section of
# docs/performance.md from the results.
#
#   bench/run.sh            # everything: postfix + upper bound, the four relay variants, memory, JMH, report
#   bench/run.sh relay      # only the relay variants (then: bench/run.sh report)
#   bench/run.sh postfix | memory | jmh | report
#
# Knobs (environment): SESSIONS=20 MESSAGES=5000 SIZE=4K RUNS=3 WARMUP=10000 (messages per warm-up round; rounds
# repeat until the relay's JIT threads used <= WARM_JIT_PERCENT=10 % of its CPU in WARM_QUIET_ROUNDS=2 rounds in a
# row, WARMUP_ROUNDS=10 at most)
# VARIANTS="plaintext starttls dane mta-sts" RELAY_CMD=./relay SKIP_BUILD=1 RESULTS=bench/target/results
# PROFILE=1 (a JFR recording of each relay variant, $RESULTS/relay-VARIANT.jfr) JMH_OPTS="-f 1 -wi 2 -i 3";
# memory.sh's knobs are listed there.
# Everything listens on 127.0.0.1 only. The whole suite takes about 25 minutes on a quiet 2-core machine, most of
# it Postfix's STARTTLS series and queueing 100,000 messages.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
trap 'stop_all' EXIT
VARIANTS=${VARIANTS:-plaintext starttls dane mta-sts}

relay_variant() {
  local v=$1
  start_world "$v" || return 1
  if [[ ${PROFILE:-0} == 1 ]]; then
    JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$RESULTS/relay-$v.jfr" \
      start_relay "$WORLD_DIR/relay.yaml" "$WORLD_DIR/relay.log" || return 1
  else
    start_relay "$WORLD_DIR/relay.yaml" "$WORLD_DIR/relay.log" || return 1
  fi
  wait_for_port "$RELAY_PORT" 120 || return 1
  measure "relay-$v" "127.0.0.1:$RELAY_PORT" "$SINK_CONTROL" "http://127.0.0.1:$ADMIN_PORT/metrics"
  delivery_security "$v" "$WORLD_DIR/relay.log"
}

# delivery_security VARIANT LOG: what the relay's delivery log says about how the variant's mail left (policy,
# TLS, verification), counted, into $RESULTS/relay-VARIANT.security; warns when a delivery did not leave the way
# the variant is meant to measure (a DANE figure must be DANE-verified TLS, not a silent fallback).
delivery_security() {
  local v=$1 log=$2 expected total matching
  # The delivery log is one JSON object per attempt (relay-smtp AttemptLog; docs/operations.md).
  case $v in
    plaintext) expected='"policy_source":"opportunistic","policy_level":"may","plaintext_retry":false,"tls_protocol":null' ;;
    starttls) expected='"policy_source":"opportunistic","policy_level":"may","plaintext_retry":false,"tls_protocol":"TLS' ;;
    dane) expected='"policy_source":"dane","policy_level":"dane","plaintext_retry":false,"tls_protocol":"TLS[^"]*","tls_cipher":"[^"]*","verified":true' ;;
    mta-sts) expected='"policy_source":"mta-sts","policy_level":"verify","plaintext_retry":false,"tls_protocol":"TLS[^"]*","tls_cipher":"[^"]*","verified":true' ;;
  esac
  grep -o '"policy_source":"[^"]*","policy_level":"[^"]*","plaintext_retry":[a-z]*,"tls_protocol":[^,]*' "$log" \
    | sort | uniq -c | sed 's/^ *//' >"$RESULTS/relay-$v.security" || true
  total=$(grep -c '"outcome":"delivered' "$log" || true)
  matching=$(grep '"outcome":"delivered' "$log" | grep -c -- "$expected" || true)
  if [[ $total -eq 0 || $matching -ne $total ]]; then
    bench_log "relay, $v: WARNING: $matching of $total deliveries left as the variant expects ($expected); see $log"
  else
    bench_log "relay, $v: all $total deliveries left as expected: $(head -1 "$RESULTS/relay-$v.security")"
  fi
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
  # shellcheck disable=SC2086 # JMH_OPTS is a list of options
  (cd "$RESULTS" && java -jar "$BENCH_JAR" jmh ${JMH_OPTS:--f 1 -wi 2 -i 3} -rff "$RESULTS/jmh-result.json")
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
    # one part failing (no root for apt, say) must not cost the others: each says so and the report shows the gap
    machine_info
    SKIP_MACHINE_INFO=1 "$BENCH_ROOT/bench/postfix.sh" || bench_log "postfix: FAILED (see above); continuing"
    relay_variants
    "$BENCH_ROOT/bench/memory.sh" || bench_log "memory: FAILED (see above); continuing"
    jmh || bench_log "JMH: FAILED (see above); continuing"
    report
    ;;
  relay) machine_info; relay_variants ;;
  postfix) "$BENCH_ROOT/bench/postfix.sh" ;;
  memory) "$BENCH_ROOT/bench/memory.sh" ;;
  jmh) jmh ;;
  report) report ;;
  *) echo "usage: bench/run.sh [all|relay|postfix|memory|jmh|report]" >&2; exit 2 ;;
esac
