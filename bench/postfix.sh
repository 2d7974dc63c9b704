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
PF_PORT=${PF_PORT:-10025}
# outside $WORK (mode 700): the postfix user must reach its queue and log
PF=${PF_DIR:-/var/tmp/relay-bench-postfix}
trap 'pf_stop; stop_all' EXIT

install_postfix() {
  if ! command -v postconf >/dev/null; then
    bench_log "installing postfix (apt-get, non-interactive)"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >"$WORK/apt.log" 2>&1 \
      || { apt-get update -q >>"$WORK/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >>"$WORK/apt.log" 2>&1; }
  fi
  # "No configuration" leaves no main.cf; postconf -e below needs one
  [[ -f /etc/postfix/main.cf ]] || : >/etc/postfix/main.cf
  # the system instance must not compete for CPU or ports
  postfix stop >/dev/null 2>&1 || true
  echo "POSTFIX_VERSION='$(postconf -dh mail_version)'" >"$RESULTS/postfix.env"
}

# pf_configure SINK_PORT TLS_LEVEL: writes the benchmark instance's main.cf and master.cf.
pf_configure() {
  local sink_port=$1 level=$2
  mkdir -p "$PF/etc" "$PF/data"
  cp /etc/postfix/master.cf "$PF/etc/master.cf"
  cat >"$PF/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/maillog
myhostname = relay.bench.invalid
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$sink_port
smtp_tls_security_level = $level
smtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache
biff = no
CF
  # no chroot (the queue is not under /var/spool/postfix); SMTP on the benchmark port instead of 25
  postconf -c "$PF/etc" -F '*/*/chroot = n'
  postconf -c "$PF/etc" -MX smtp/inet
  postconf -c "$PF/etc" -M "127.0.0.1:$PF_PORT/inet = 127.0.0.1:$PF_PORT inet n - n - - smtpd"
  grep -q '^postlog' "$PF/etc/master.cf" \
    || postconf -c "$PF/etc" -M 'postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd'
  # postfix -c refuses a config directory the default one does not list
  local alt
  alt=$(postconf -h alternate_config_directories)
  [[ $alt == *"$PF/etc"* ]] || postconf -e "alternate_config_directories = ${alt:+$alt, }$PF/etc"
}

pf_start() {
  rm -rf "$PF/spool"
  mkdir -p "$PF/spool"
  postfix -c "$PF/etc" set-permissions
  postfix -c "$PF/etc" check
  postfix -c "$PF/etc" start
  wait_for_port "$PF_PORT" 30
}

pf_stop() {
  [[ -d $PF/etc ]] && postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
}

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
