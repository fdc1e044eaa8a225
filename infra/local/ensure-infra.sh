#!/usr/bin/env bash
# Makes PostgreSQL and RabbitMQ answer on loopback with the project's user, databases and vhost.
# Uses docker compose where a Docker engine answers; otherwise the Debian packages, installed if missing
# and started without systemd (CI machines and sandboxes have no init). Idempotent.
set -euo pipefail

PG_USER=${COORDINATION_PG_USER:-coordination}
PG_PASSWORD=${COORDINATION_PG_PASSWORD:-coordination}
RABBIT_USER=${COORDINATION_RABBIT_USER:-coordination}
RABBIT_PASSWORD=${COORDINATION_RABBIT_PASSWORD:-coordination}
RABBIT_VHOST=${COORDINATION_RABBIT_VHOST:-coordination}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

log() { printf '[infra] %s\n' "$*" >&2; }

# CI systems that provide PostgreSQL and RabbitMQ themselves (GitHub service containers) say so.
if [ "${COORDINATION_INFRA:-}" = "external" ]; then
  log "COORDINATION_INFRA=external: using the PostgreSQL and RabbitMQ provided by the environment"
  exit 0
fi

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

wait_for() { # description, seconds, command...
  local what=$1 limit=$2; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start > limit )); then log "timed out waiting for $what"; return 1; fi
    sleep 0.5
  done
}

apt_updated=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ $apt_updated -eq 0 ]; then sudo_if_needed apt-get update -qq; apt_updated=1; fi
  sudo_if_needed apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  log "Docker engine found: starting postgres and rabbitmq with docker compose"
  # ./coordination up polls the services' health with curl.
  command -v curl >/dev/null 2>&1 || apt_install curl
  # --wait returns once both containers' health checks pass; the probes below run inside the containers (the host
  # may have no PostgreSQL client).
  docker compose -f "$ROOT/docker-compose.yml" up -d --wait postgres rabbitmq
  wait_for "postgres" 90 docker compose -f "$ROOT/docker-compose.yml" exec -T postgres \
    psql -U "$PG_USER" -d coordination -qAtc 'select 1'
  wait_for "rabbitmq management API" 90 docker compose -f "$ROOT/docker-compose.yml" exec -T rabbitmq \
    rabbitmq-diagnostics -q check_port_listener 15672
  exit 0
fi

# --- PostgreSQL --------------------------------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing PostgreSQL"
  apt_install postgresql postgresql-contrib
fi
command -v curl >/dev/null 2>&1 || apt_install curl
PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$PG_VERSION main$"; then
  sudo_if_needed pg_createcluster "$PG_VERSION" main >/dev/null
fi
PG_CONF=/etc/postgresql/$PG_VERSION/main/postgresql.conf
# Five services, their async daemons and parallel test fixtures each hold pools: the default 100 is too few.
if ! grep -q '^max_connections = 500' "$PG_CONF"; then
  sudo_if_needed sed -i 's/^#\?max_connections = .*/max_connections = 500/' "$PG_CONF"
  if pg_lsclusters -h | grep -q "^$PG_VERSION main .* online"; then sudo_if_needed pg_ctlcluster "$PG_VERSION" main restart; fi
fi
if ! pg_lsclusters -h | grep -q "^$PG_VERSION main .* online"; then
  log "starting PostgreSQL $PG_VERSION"
  sudo_if_needed pg_ctlcluster "$PG_VERSION" main start
fi
wait_for "postgres" 60 sudo_if_needed su postgres -c "psql -qAtc 'select 1'"
psql_admin() { sudo_if_needed su postgres -c "psql -v ON_ERROR_STOP=1 -qAt -c \"$1\""; }
if [ "$(psql_admin "select 1 from pg_roles where rolname='$PG_USER'")" != "1" ]; then
  psql_admin "create role $PG_USER login createdb password '$PG_PASSWORD'"
fi
for db in coordination coordination_identity; do
  if [ "$(psql_admin "select 1 from pg_database where datname='$db'")" != "1" ]; then
    psql_admin "create database $db owner $PG_USER"
  fi
done
wait_for "postgres password login" 30 env PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -U "$PG_USER" -d coordination -qAtc 'select 1'
log "PostgreSQL ready on 127.0.0.1:5432"

# --- RabbitMQ ----------------------------------------------------------------------------------------
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  log "installing RabbitMQ"
  apt_install rabbitmq-server
  # The package's postinst may have started it through an init script; we manage it ourselves.
fi
if ! rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; then
  # The management plugin serves the HTTP API the tests use to create a vhost per fixture.
  sudo_if_needed rabbitmq-plugins --offline enable rabbitmq_management >/dev/null
  log "starting RabbitMQ"
  sudo_if_needed rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for "rabbitmq" 120 rabbitmq-diagnostics -q check_port_connectivity
else
  sudo_if_needed rabbitmq-plugins enable rabbitmq_management >/dev/null
fi
if ! rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$RABBIT_USER"; then
  rabbitmqctl -q add_user "$RABBIT_USER" "$RABBIT_PASSWORD" >/dev/null
fi
# administrator: tests create and delete a vhost per fixture through the management API.
rabbitmqctl -q set_user_tags "$RABBIT_USER" administrator >/dev/null
if ! rabbitmqctl -q list_vhosts | grep -qx "$RABBIT_VHOST"; then
  rabbitmqctl -q add_vhost "$RABBIT_VHOST" >/dev/null
fi
rabbitmqctl -q set_permissions -p "$RABBIT_VHOST" "$RABBIT_USER" '.*' '.*' '.*' >/dev/null
wait_for "rabbitmq management API" 60 curl -fsS -u "$RABBIT_USER:$RABBIT_PASSWORD" http://127.0.0.1:15672/api/overview
log "RabbitMQ ready on 127.0.0.1:5672 (management 15672)"
