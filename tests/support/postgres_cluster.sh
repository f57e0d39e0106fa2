#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the tests and the benchmarks.
#   postgres_cluster.sh start STATE_DIR    initdb + pg_ctl start; writes STATE_DIR/conninfo
#   postgres_cluster.sh stop STATE_DIR     stops it and removes its data
#   postgres_cluster.sh restart STATE_DIR  pg_ctl restart (fast shutdown), same port
#   postgres_cluster.sh halt|resume STATE_DIR  stop / start again, keeping the data
# STATE_DIR holds conninfo (libpq keywords), port and datadir. The data lives under /tmp, in
# a directory owned by the `postgres` user when run as root (PostgreSQL refuses to run as
# root), else by the caller.
set -euo pipefail
cmd=${1:?start|stop|restart|halt|resume}
state=${2:?state directory}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ]; then
  echo "postgres_cluster: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_ctl_run() {
  local data port
  data=$(cat "$state/datadir")
  port=$(cat "$state/port")
  as_owner "$pgbin/pg_ctl" -D "$data/data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" "$@" >/dev/null
}
case "$cmd" in
  start)
    if [ -f "$state/datadir" ]; then "$0" stop "$state" || true; fi
    mkdir -p "$state"
    data=$(mktemp -d /tmp/gatehouse-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$data"; fi
    chmod 700 "$data"
    echo "$data" >"$state/datadir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "$port" >"$state/port"
    as_owner "$pgbin/initdb" -D "$data/data" -A trust -U postgres >"$state/initdb.log" 2>&1 ||
      { cat "$state/initdb.log" >&2; exit 1; }
    pg_ctl_run start || { cat "$data/server.log" >&2; exit 1; }
    echo "host=127.0.0.1 port=$port dbname=postgres user=postgres" >"$state/conninfo"
    echo "postgres_cluster: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($data)"
    ;;
  restart) pg_ctl_run restart -m fast ;;
  halt) pg_ctl_run stop -m fast ;;
  resume) pg_ctl_run start ;;
  stop)
    [ -f "$state/datadir" ] || exit 0
    data=$(cat "$state/datadir")
    pg_ctl_run stop -m immediate 2>/dev/null || true
    rm -rf "$data" "$state/datadir" "$state/conninfo" "$state/port"
    ;;
  *) echo "postgres_cluster: unknown command $cmd" >&2; exit 2 ;;
esac
