#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for replyby's tests and benchmarks, on 127.0.0.1 only.
#
#   scripts/pg.sh start [DIR]              install PostgreSQL if missing (Debian), make the cluster in
#                                          DIR if there is none, start it; prints its URL (a superuser)
#   scripts/pg.sh url [DIR]                prints the URL again
#   scripts/pg.sh stop [DIR]               fast shutdown
#   scripts/pg.sh crash [DIR]              pg_ctl stop -m immediate: the database dies as in a power cut
#                                          and recovers from its WAL at the next start
#   scripts/pg.sh restart-immediate [DIR]  crash, then start
#   scripts/pg.sh destroy [DIR]            stop and delete DIR
#
# DIR defaults to $REPLYBY_PG_DIR, else /tmp/replyby-pg. The cluster keeps its port across
# restarts, runs with fsync and full_page_writes on (PostgreSQL's defaults; replyby refuses
# anything else), trusts connections from 127.0.0.1, and also speaks TLS with a certificate for
# localhost and 127.0.0.1 signed by DIR/ca.crt:
#   postgres://postgres@127.0.0.1:PORT/postgres?sslmode=require&sslrootcert=DIR/ca.crt
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail

cmd="${1:-start}"
dir="${2:-${REPLYBY_PG_DIR:-/tmp/replyby-pg}}"
data="$dir/data"

bin_dir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$d" ] && command -v pg_config >/dev/null; then d="$(pg_config --bindir)"; fi
  echo "$d"
}

install() {
  if [ -n "$(bin_dir)" ] && [ -x "$(bin_dir)/initdb" ]; then return; fi
  echo "pg.sh: installing PostgreSQL (apt-get install postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql openssl >&2
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null && return
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "pg.sh: no free port" >&2
  exit 1
}

url() {
  echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

certificates() {
  # A CA and a server certificate it signs: rustls (like libpq's verify-full) checks the
  # chain and that the certificate names the host.
  (
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj /CN=replyby-test-ca -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
      -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null
    cp server.crt server.key "$data/"
    chmod 600 "$data/server.key"
  )
}

create() {
  mkdir -p "$dir"
  chmod 755 "$dir"
  free_port >"$dir/port"
  mkdir -p "$data"
  chmod 700 "$data"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
  as_owner "$(bin_dir)/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log"
  certificates
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
  cat >>"$data/postgresql.conf" <<EOF

# replyby test cluster (scripts/pg.sh)
listen_addresses = '127.0.0.1'
port = $(cat "$dir/port")
unix_socket_directories = '$dir'
max_connections = 300
fsync = on
full_page_writes = on
synchronous_commit = on
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
logging_collector = off
EOF
}

running() {
  as_owner "$(bin_dir)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start() {
  install
  if [ ! -f "$data/PG_VERSION" ]; then create; fi
  if ! running; then
    as_owner "$(bin_dir)/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null
  fi
  url
}

case "$cmd" in
  start) start ;;
  url) url ;;
  stop) if running; then as_owner "$(bin_dir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi ;;
  crash) if running; then as_owner "$(bin_dir)/pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi ;;
  restart-immediate)
    if running; then as_owner "$(bin_dir)/pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi
    start
    ;;
  destroy)
    if [ -f "$data/PG_VERSION" ] && running; then as_owner "$(bin_dir)/pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi
    rm -rf "$dir"
    ;;
  *)
    awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0" >&2
    exit 2
    ;;
esac
