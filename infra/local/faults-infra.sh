#!/usr/bin/env bash
# The fault suite's own PostgreSQL cluster and RabbitMQ node, so that killing and stopping them never touches
# the developer's infrastructure (cluster "main" on 5432, node rabbit@<host> on 5672) or other test runs.
#
#   faults-infra.sh ensure         create once (cluster 15/faults on 5433, node faults@localhost on 5673,
#                                  management on 15673), start both, user/vhost/databases
#   faults-infra.sh stop           stop both (what `ensure` started)
#   faults-infra.sh pg-stop        stop the faults cluster now (immediate: like a crash, in-flight commits abort)
#   faults-infra.sh pg-start       start it again
#   faults-infra.sh rabbit-kill    kill -9 the faults node's Erlang VM (its own PID file, never a name match)
#   faults-infra.sh rabbit-start   start it again
#   faults-infra.sh status
#
# Every command names the cluster (15 faults) or the node (faults@localhost) explicitly; nothing here can act on
# the default ones.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${COORDINATION_FAULTS_DIR:-$ROOT/.run/faults}
PG_CLUSTER=faults
PG_PORT=${COORDINATION_FAULTS_PG_PORT:-5433}
RABBIT_NODE=faults@localhost
RABBIT_PORT=${COORDINATION_FAULTS_RABBIT_PORT:-5673}
RABBIT_MGMT_PORT=${COORDINATION_FAULTS_RABBIT_MGMT_PORT:-15673}
RABBIT_DIR=$BASE/rabbitmq
USER_NAME=coordination
USER_PASSWORD=coordination

log() { printf '[faults-infra] %s\n' "$*" >&2; }

wait_for() { # description, seconds, command...
  local what=$1 limit=$2; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start > limit )); then log "timed out waiting for $what"; return 1; fi
    sleep 0.3
  done
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_version() { ls /usr/lib/postgresql | sort -n | tail -1; }

pg_online() { pg_lsclusters -h | awk -v v="$(pg_version)" -v c=$PG_CLUSTER '$1==v && $2==c && $4=="online"' | grep -q .; }

pg_ensure() {
  local v; v=$(pg_version)
  if ! pg_lsclusters -h | awk -v v="$v" -v c=$PG_CLUSTER '$1==v && $2==c' | grep -q .; then
    log "creating PostgreSQL cluster $v/$PG_CLUSTER on port $PG_PORT (once)"
    as_root pg_createcluster "$v" $PG_CLUSTER --port "$PG_PORT" >/dev/null
    local conf=/etc/postgresql/$v/$PG_CLUSTER/postgresql.conf
    # Five services with their pools and daemons, the checker and the load: more than the default 100.
    as_root sed -i 's/^#\?max_connections = .*/max_connections = 300/' "$conf"
    # A small cluster: it only ever holds the suite's data.
    as_root sed -i 's/^#\?shared_buffers = .*/shared_buffers = 64MB/' "$conf"
  fi
  pg_start
  psql_admin() { as_root su postgres -c "psql -p $PG_PORT -v ON_ERROR_STOP=1 -qAt -c \"$1\""; }
  if [ "$(psql_admin "select 1 from pg_roles where rolname='$USER_NAME'")" != "1" ]; then
    psql_admin "create role $USER_NAME login createdb password '$USER_PASSWORD'"
  fi
  wait_for "faults PostgreSQL password login" 30 env PGPASSWORD=$USER_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U $USER_NAME -d postgres -qAtc 'select 1'
  log "PostgreSQL $(pg_version)/$PG_CLUSTER ready on 127.0.0.1:$PG_PORT"
}

pg_start() {
  if ! pg_online; then
    as_root pg_ctlcluster "$(pg_version)" $PG_CLUSTER start
  fi
  wait_for "faults PostgreSQL" 60 as_root su postgres -c "psql -p $PG_PORT -qAtc 'select 1'"
}

pg_stop() { # mode: immediate (a crash: in-flight transactions abort) or fast
  local mode=${1:-immediate}
  if pg_online; then as_root pg_ctlcluster "$(pg_version)" $PG_CLUSTER stop -m "$mode"; fi
}

# --- RabbitMQ: a second node of the installed server, run as the rabbitmq user (its Erlang cookie) ------------
rabbit_env() {
  echo HOME=/var/lib/rabbitmq \
    RABBITMQ_NODENAME=$RABBIT_NODE \
    RABBITMQ_NODE_PORT="$RABBIT_PORT" \
    RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000)) \
    RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" \
    RABBITMQ_LOG_BASE="$RABBIT_DIR/log" \
    RABBITMQ_PID_FILE="$RABBIT_DIR/node.pid" \
    RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$RABBIT_DIR/advanced.config" \
    RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf"
}

as_rabbitmq() { as_root runuser -u rabbitmq -- env $(rabbit_env) "$@"; }

ctl() { as_rabbitmq /usr/lib/rabbitmq/bin/rabbitmqctl -n $RABBIT_NODE "$@"; }

rabbit_running() { as_rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-diagnostics -n $RABBIT_NODE -q ping >/dev/null 2>&1; }

rabbit_files() {
  as_root mkdir -p "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
  cat >"$RABBIT_DIR/rabbitmq.conf" <<CONF
# The fault suite's node: loopback only, its own ports (the default node keeps 5672/15672).
listeners.tcp.default = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
# Queue statistics every second: the suite reads queue depths to decide the system is back to normal.
collect_statistics_interval = 1000
management.rates_mode = basic
disk_free_limit.absolute = 50MB
CONF
  echo '[rabbitmq_management].' >"$RABBIT_DIR/enabled_plugins"
  echo '[].' >"$RABBIT_DIR/advanced.config"
  : >"$RABBIT_DIR/rabbitmq-env.conf"
  # The node runs as rabbitmq (the installed server's user and cookie); the repository stays root's.
  as_root chown -R rabbitmq:rabbitmq "$RABBIT_DIR"
  as_root chmod 755 "$BASE" "$RABBIT_DIR"
}

rabbit_start() {
  if rabbit_running; then return 0; fi
  rabbit_files
  log "starting RabbitMQ node $RABBIT_NODE on 127.0.0.1:$RABBIT_PORT (management $RABBIT_MGMT_PORT)"
  as_rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for "RabbitMQ node $RABBIT_NODE" 120 rabbit_running
  ctl -q await_startup >/dev/null
  wait_for "management listener on $RABBIT_MGMT_PORT" 60 curl -sS -o /dev/null "http://127.0.0.1:$RABBIT_MGMT_PORT/"
}

rabbit_ensure() {
  rabbit_start
  if ! ctl -q list_users | awk '{print $1}' | grep -qx $USER_NAME; then ctl -q add_user $USER_NAME $USER_PASSWORD >/dev/null; fi
  ctl -q set_user_tags $USER_NAME administrator >/dev/null
  wait_for "management API on $RABBIT_MGMT_PORT" 60 curl -fsS -u "$USER_NAME:$USER_PASSWORD" "http://127.0.0.1:$RABBIT_MGMT_PORT/api/overview"
  log "RabbitMQ $RABBIT_NODE ready on 127.0.0.1:$RABBIT_PORT (management 127.0.0.1:$RABBIT_MGMT_PORT)"
}

rabbit_pid() {
  local file=$RABBIT_DIR/node.pid pid
  [ -f "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] || return 1
  # Only ever the faults node: the VM's environment names it (RabbitMQ 3.10 passes the node name there, not in argv).
  as_root tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "RABBITMQ_NODENAME=$RABBIT_NODE" || return 1
  echo "$pid"
}

rabbit_kill() {
  local pid
  if pid=$(rabbit_pid); then
    log "kill -9 $pid ($RABBIT_NODE)"
    as_root kill -9 "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  else
    log "$RABBIT_NODE is not running"
  fi
}

rabbit_stop() {
  if rabbit_running; then ctl -q stop >/dev/null 2>&1 || rabbit_kill; fi
}

case "${1:-}" in
  ensure) pg_ensure; rabbit_ensure ;;
  stop) rabbit_stop; pg_stop fast; log "stopped $RABBIT_NODE and cluster $(pg_version)/$PG_CLUSTER" ;;
  pg-stop) pg_stop "${2:-immediate}" ;;
  pg-start) pg_start ;;
  rabbit-kill) rabbit_kill ;;
  rabbit-start) rabbit_start ;;
  status)
    pg_lsclusters -h | awk -v c=$PG_CLUSTER '$2==c'
    if rabbit_running; then echo "$RABBIT_NODE running (pid $(rabbit_pid || echo '?'))"; else echo "$RABBIT_NODE stopped"; fi ;;
  *) echo "usage: faults-infra.sh ensure | stop | pg-stop [immediate|fast] | pg-start | rabbit-kill | rabbit-start | status" >&2; exit 2 ;;
esac
