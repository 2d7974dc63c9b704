#!/usr/bin/env bash
# Side-by-side baseline: Debian's Postfix as a relay into the same loopback sink, with the same load generator,
# message set and concurrency as the relay runs, plus the load generator straight into the sink (upper bound).
#
#   bench/postfix.sh                 # results in bench/target/results/{postfix-*,upper-bound}.jsonl
#   RUNS=5 MESSAGES=20000 bench/postfix.sh
#
# Installs the postfix package (apt, non-interactive) if needed and stops the system instance; runs its own
# instance from a config directory under $WORK that listens on 127.0.0.1:$PF_PORT only and relays everything
# to [127.0.0.1]:<sink port>. Postfix keeps its default fsync behaviour (queue files are fsynced before 250).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/postfix-lib.sh"
trap 'pf_stop; stop_all' EXIT

bench_build
[[ ${SKIP_MACHINE_INFO:-0} == 1 ]] || machine_info
install_postfix

bench_log "upper bound: load generator straight into the sink"
start_sink plain none
measure upper-bound "127.0.0.1:$SINK_PORT" "$SINK_CONTROL"

bench_log "postfix, plaintext delivery (sink without STARTTLS)"
pf_configure "$SINK_PORT" may
pf_start
measure postfix-plaintext "127.0.0.1:$PF_PORT" "$SINK_CONTROL"
pf_stop
stop_pid "$SINK_PID"

bench_log "postfix, STARTTLS delivery (sink with STARTTLS, self-signed certificate)"
start_sink tls self
pf_configure "$SINK_PORT" may
pf_start
measure postfix-starttls "127.0.0.1:$PF_PORT" "$SINK_CONTROL"
pf_stop
stop_pid "$SINK_PID"
bench_log "done: $RESULTS"
