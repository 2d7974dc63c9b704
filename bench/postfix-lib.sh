# Postfix helpers shared by bench/postfix.sh and bench/smtp-source.sh (sourced after lib.sh, not run): install
# Debian's postfix if needed, and run a private instance from a config directory under $PF that listens on
# 127.0.0.1:$PF_PORT only and relays everything to [127.0.0.1]:<sink port>.
PF_PORT=${PF_PORT:-10025}
# outside $WORK (mode 700): the postfix user must reach its queue and log
PF=${PF_DIR:-/var/tmp/relay-bench-postfix}

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
  # the master: every Postfix process is below it (tree_cpu_ms counts them for cpu_ms_per_msg)
  CPU_PID=$(tr -d ' ' <"$PF/spool/pid/master.pid")
}

pf_stop() {
  CPU_PID=
  [[ -d $PF/etc ]] && postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
}

